"""Routes of the writing workspace (see postmortems/urls.py)."""

from django.urls import URLPattern, path

from secondstory.postmortems import people_views, restore_views, writing

urlpatterns: list[URLPattern] = [
    path("start/", writing.start, name="start"),
    path("postmortems/<str:key>/sections/<str:field>/", writing.section, name="section"),
    path(
        "postmortems/<str:key>/sections/<str:field>/edit/",
        writing.section_edit,
        name="section_edit",
    ),
    path(
        "postmortems/<str:key>/sections/<str:field>/preview/",
        writing.section_preview,
        name="section_preview",
    ),
    path(
        "postmortems/<str:key>/sections/<str:field>/review/",
        writing.section_review,
        name="section_review",
    ),
    path(
        "postmortems/<str:key>/sections/<str:field>/review/dismiss/",
        writing.review_dismiss,
        name="review_dismiss",
    ),
    path("postmortems/<str:key>/history/", writing.history, name="history"),
    path("postmortems/<str:key>/history/diff/", writing.revision_diff, name="revision_diff"),
    path(
        "postmortems/<str:key>/history/<int:number>/restore/",
        restore_views.revision_restore,
        name="revision_restore",
    ),
    path("postmortems/<str:key>/people/", people_views.people_edit, name="people"),
    path("postmortems/<str:key>/download.md", writing.download, name="download"),
    path("templates/", writing.template_list, name="templates"),
    path("templates/new/", writing.template_create, name="template_create"),
    path("templates/<slug:slug>/", writing.template_edit, name="template_edit"),
    path("templates/<slug:slug>/delete/", writing.template_delete, name="template_delete"),
]
