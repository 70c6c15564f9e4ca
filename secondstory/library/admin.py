"""Admin pages of the library app."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from secondstory.library.models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: documents are written by the index (``secondstory reindex`` rebuilds them)."""

    list_display = ["postmortem", "title", "indexed_at"]
    search_fields = ["postmortem__key", "title"]
    readonly_fields = [
        "postmortem",
        "title",
        "summary",
        "factors",
        "actions",
        "labels",
        "narrative",
        "timeline",
        "indexed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
