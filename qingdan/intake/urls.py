from django.urls import path

from qingdan.intake import views

app_name = "desk"

urlpatterns = [
    path("", views.desk_view, name="desk"),
    path("caller/", views.caller, name="caller"),
    path("units/", views.units, name="units"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<str:code>/", views.submission_detail, name="submission_detail"),
    path("submissions/<str:code>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
