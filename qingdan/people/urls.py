from django.contrib.auth import views as auth_views
from django.urls import path

from qingdan.people import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/suggest/", views.person_suggest, name="person_suggest"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
]
