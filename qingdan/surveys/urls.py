from django.urls import path

from qingdan.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/questions/", views.question_add, name="question_add"),
    path("<int:survey_id>/status/", views.survey_status, name="status"),
    path("<int:survey_id>/tokens/", views.tokens_issue, name="tokens"),
    path("<int:survey_id>/qr.svg", views.survey_qr, name="qr"),
    path("<int:survey_id>/qr-download.<str:fmt>", views.survey_qr_download, name="qr_download"),
    path("<int:survey_id>/poster/", views.survey_poster, name="poster"),
    path("<int:survey_id>/export.<str:fmt>", views.survey_export, name="export"),
]
