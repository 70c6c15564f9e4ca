"""Routes of the timeline editor, inside the "postmortems" namespace (see postmortems/urls.py)."""

from django.urls import URLPattern, path

from secondstory.incidents import event_views
from secondstory.incidents import timeline_views as views

_EVENT = "postmortems/<str:key>/timeline/events/<int:pk>"

urlpatterns: list[URLPattern] = [
    path("postmortems/<str:key>/timeline/", views.timeline, name="timeline"),
    path(
        "postmortems/<str:key>/timeline/capture/", views.timeline_capture, name="timeline_capture"
    ),
    path("postmortems/<str:key>/timeline/zone/", views.timeline_zone, name="timeline_zone"),
    path(
        "postmortems/<str:key>/timeline/zone-names/",
        views.timeline_zone_names,
        name="timeline_zone_names",
    ),
    path(
        "postmortems/<str:key>/timeline/events/new/",
        event_views.timeline_event_add,
        name="timeline_event_add",
    ),
    path(f"{_EVENT}/edit/", event_views.timeline_event_edit, name="timeline_event_edit"),
    path(f"{_EVENT}/delete/", event_views.timeline_event_delete, name="timeline_event_delete"),
    path(f"{_EVENT}/star/", views.timeline_event_star, name="timeline_event_star"),
    path(f"{_EVENT}/known/", views.timeline_event_known, name="timeline_event_known"),
]
