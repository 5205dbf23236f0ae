from django.urls import path

from qingdan.dockets import public

app_name = "public"

urlpatterns = [
    path("", public.index, name="index"),
    path("lists/<int:pk>/", public.docket, name="docket"),
    path("items/<int:pk>/", public.item, name="item"),
]
