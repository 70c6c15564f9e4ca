"""Routes of the feeds app (included from secondstory/urls.py)."""

from django.urls import path, re_path

from secondstory.feeds import views

app_name = "feeds"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,128})\.ics$", views.calendar, name="calendar"),
]
