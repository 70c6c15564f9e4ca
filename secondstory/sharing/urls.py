"""Routes of the sharing app (included from secondstory/urls.py)."""

from django.urls import URLPattern

app_name = "sharing"
urlpatterns: list[URLPattern] = []
