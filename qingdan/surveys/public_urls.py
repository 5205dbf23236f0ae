from django.urls import path

from qingdan.surveys import views

app_name = "survey_public"

urlpatterns = [
    path("<str:slug>/", views.answer, name="answer"),
]
