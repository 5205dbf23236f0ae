from django.urls import path

from qingdan.portal import views

app_name = "portal"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/places/", views.places, name="places"),
    path("submit/kept/<str:token>/", views.pending_file, name="pending_file"),
    path("submit/received/<str:token>/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_detail, name="track_detail"),
    path("track/<str:code>/info/", views.track_info, name="track_info"),
    path("track/<str:code>/rate/", views.track_rate, name="track_rate"),
]
