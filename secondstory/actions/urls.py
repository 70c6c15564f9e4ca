"""Routes of the organisation-wide action item pages (included from secondstory/urls.py)."""

from django.urls import URLPattern

app_name = "actions"
urlpatterns: list[URLPattern] = []
