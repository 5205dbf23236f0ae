from django.urls import path

from qingdan.triage import views

app_name = "triage"

urlpatterns = [
    path("submissions/<str:code>/", views.suggestion, name="suggestion"),
]
