from django.urls import path

from qingdan.units import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.calendar_page, name="page"),
    path("days/", views.calendar_day_save, name="save"),
    path("days/<str:date>/delete/", views.calendar_day_remove, name="delete"),
]
