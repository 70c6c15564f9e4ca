"""Routes of the insights app (included from secondstory/urls.py)."""

from django.urls import URLPattern, path

from secondstory.insights import health_views

app_name = "insights"
urlpatterns: list[URLPattern] = [
    path("health/", health_views.health, name="health"),
]
