"""Routes of the shared document (see postmortems/urls.py and document_views.py)."""

from django.urls import URLPattern, path

from secondstory.postmortems import document_views

_PM = "postmortems/<str:key>/"

urlpatterns: list[URLPattern] = [
    path(f"{_PM}document/", document_views.document, name="document"),
    path(f"{_PM}document.pdf", document_views.document_pdf, name="document_pdf"),
    path(f"{_PM}document.md", document_views.document_markdown, name="document_markdown"),
    path(f"{_PM}document/html/", document_views.document_html, name="document_html"),
]
