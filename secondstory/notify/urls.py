"""Routes of the notify app (included from secondstory/urls.py)."""

from django.urls import URLPattern

app_name = "notify"
urlpatterns: list[URLPattern] = []
