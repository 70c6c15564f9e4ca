"""Routes for incidents (see urls.py)."""

from django.urls import path

from secondstory.incidents import import_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<str:key>/", views.incident_detail, name="detail"),
    path("<str:key>/edit/", views.incident_edit, name="edit"),
    path("<str:key>/import/", import_views.import_upload, name="import"),
    path("<str:key>/import/<str:token>/", import_views.import_confirm, name="import_confirm"),
    path("<str:key>/import/<str:token>/answer/", import_views.import_answer, name="import_answer"),
]
