"""Routes of the insights app (included from secondstory/urls.py)."""

from django.urls import URLPattern, path

from secondstory.insights import health_views, views

app_name = "insights"
urlpatterns: list[URLPattern] = [
    path("", views.organisation, name="organisation"),
    path("teams/<slug:slug>/", views.team, name="team"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("health/", health_views.health, name="health"),
]
