from django.urls import path

from qingdan.notifications import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("count/", views.unread_count, name="count"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
]
