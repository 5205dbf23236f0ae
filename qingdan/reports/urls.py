from django.urls import path

from qingdan.reports import views

app_name = "reports"

urlpatterns = [
    path("weekly/<str:code>/", views.weekly, name="weekly"),
]
