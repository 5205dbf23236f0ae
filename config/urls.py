"""URL map: each app owns its own urls; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

from qingdan.api.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("qingdan.open311.urls")),
    path("accounts/", include("qingdan.people.urls")),
    path("desk/", include("qingdan.intake.urls")),
    path("", include("qingdan.portal.urls")),
    path("", include("qingdan.units.urls")),
]
