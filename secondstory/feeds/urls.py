"""Routes of the feeds app (included from secondstory/urls.py)."""

from django.urls import URLPattern

app_name = "feeds"
urlpatterns: list[URLPattern] = []
