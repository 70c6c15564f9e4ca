"""Routes of the writing workspace (see postmortems/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
