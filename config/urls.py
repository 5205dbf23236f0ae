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
    path("inbox/", include("qingdan.notifications.urls")),
    path("calendar/", include("qingdan.units.calendar_urls")),
    path("dockets/", include("qingdan.dockets.urls")),
    path("public/", include("qingdan.dockets.public_urls")),
    path("triage/", include("qingdan.triage.urls")),
    path("ledgers/", include("qingdan.ledgers.urls")),
    path("surveys/", include("qingdan.surveys.urls")),
    path("supervision/", include("qingdan.supervision.urls")),
    path("reports/", include("qingdan.reports.urls")),
    path("s/", include("qingdan.surveys.public_urls")),
    path("", include("qingdan.portal.urls")),
    path("", include("qingdan.units.urls")),
]

# Error pages in Chinese with the site's navigation (qingdan.core.errorpages); 500 keeps Django's
# handler, whose template (templates/500.html) needs neither the database nor context processors.
handler400 = "qingdan.core.errorpages.bad_request"
handler403 = "qingdan.core.errorpages.permission_denied"
handler404 = "qingdan.core.errorpages.page_not_found"
