"""The backup log in the admin: read only, since ``secondstory backup`` writes it."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from secondstory.operations.models import BackupRecord


@admin.register(BackupRecord)
class BackupRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "engine", "size", "path")
    list_filter = ("engine",)
    search_fields = ("path", "checksum")
    readonly_fields = ("created_at", "path", "engine", "size", "checksum")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
