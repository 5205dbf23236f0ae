"""GeoReport v2 resources, each in XML and JSON by its extension (mounted at /open311/v2/)."""

from django.urls import path, re_path

from qingdan.open311 import views

app_name = "open311"
_FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    path("", views.discovery, name="root"),
    re_path(r"^discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^services" + _FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + _FMT, views.service_definition, name="service"),
    re_path(r"^requests" + _FMT, views.request_collection, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + _FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token_id>[^/]+?)" + _FMT, views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
