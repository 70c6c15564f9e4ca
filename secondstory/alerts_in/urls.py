"""Routes of inbound alerts (included from secondstory/urls.py at /integrations/)."""

from django.urls import URLPattern, path

from secondstory.alerts_in import views

app_name = "alerts_in"
urlpatterns: list[URLPattern] = [
    path("pagerduty", views.pagerduty, name="pagerduty"),
    path("opsgenie", views.opsgenie, name="opsgenie"),
    path("alertmanager", views.alertmanager, name="alertmanager"),
]
