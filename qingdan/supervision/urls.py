from django.urls import path

from qingdan.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<str:code>/", views.dashboard, name="dashboard"),
    path("units/<str:code>/export/", views.figures_export, name="export"),
    path("units/<str:code>/leaderboard/", views.leaderboard, name="leaderboard"),
    path("units/<str:code>/leaderboard/record/", views.leaderboard_record, name="leaderboard_record"),
]
