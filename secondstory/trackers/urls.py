"""Routes of the trackers app (included from secondstory/urls.py at /trackers/)."""

from django.urls import URLPattern, path

from secondstory.trackers import views

app_name = "trackers"
urlpatterns: list[URLPattern] = [
    path("hooks/<int:connection_id>/", views.hook, name="hook"),
    path(
        "postmortems/<str:key>/actions/<str:item_key>/issue/",
        views.create_issue,
        name="create_issue",
    ),
]
