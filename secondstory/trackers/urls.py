"""Routes of the trackers app (included from secondstory/urls.py)."""

from django.urls import URLPattern

app_name = "trackers"
urlpatterns: list[URLPattern] = []
