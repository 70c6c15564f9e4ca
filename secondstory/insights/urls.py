"""Routes of the insights app (included from secondstory/urls.py)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "insights"
urlpatterns: list[URLPattern] = []
