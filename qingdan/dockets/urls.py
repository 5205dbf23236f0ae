from django.urls import path

from qingdan.dockets import views

app_name = "dockets"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("lists/", views.docket_list, name="docket_list"),
    path("lists/new/", views.docket_new, name="docket_new"),
    path("lists/<int:pk>/", views.docket_page, name="docket"),
    path("lists/<int:pk>/dispatch/", views.docket_dispatch, name="docket_dispatch"),
    path("lists/<int:pk>/publish/", views.docket_publish, name="docket_publish"),
    path("lists/<int:pk>/settings/", views.docket_settings, name="docket_settings"),
    path("lists/<int:pk>/export.xlsx", views.docket_export, name="docket_export"),
    path("lists/<int:pk>/import/", views.docket_import, name="docket_import"),
    path("lists/<int:pk>/import-template.xlsx", views.docket_import_template, name="docket_import_template"),
    path("items/<int:pk>/", views.item_page, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/change/", views.item_change_request, name="item_change_request"),  # before <step>
    path("changes/", views.change_queue, name="changes"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("items/<int:pk>/<slug:step>/", views.item_act, name="item_act"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("from/<str:code>/", views.list_submission, name="list_submission"),
]
