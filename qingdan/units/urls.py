from django.urls import path

from qingdan.units import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/search/", views.unit_search, name="unit_search"),
    path("units/suggest/", views.unit_suggest, name="unit_suggest"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/export.csv", views.unit_export, name="unit_export"),
]
