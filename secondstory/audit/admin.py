"""The audit log in the admin: read only, and only for those who may read it at /audit/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from secondstory.audit.models import AuditEvent
from secondstory.audit.views import may_read_audit_log


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "actor", "action", "object_type", "object_label", "remote_addr")
    list_filter = ("action",)
    search_fields = ("actor", "object_label", "object_id", "request_id")
    date_hierarchy = "at"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_read_audit_log(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_read_audit_log(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
