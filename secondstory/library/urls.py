"""Routes of the library app (included from secondstory/urls.py)."""

from django.urls import URLPattern

app_name = "library"
urlpatterns: list[URLPattern] = []
