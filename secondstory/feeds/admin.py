from django.contrib import admin
from django.http import HttpRequest

from secondstory.feeds.models import CalendarToken


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Feeds are created on the Calendar feeds page (which shows the URL once); the admin
    lists them and revokes them by setting "revoked at"."""

    list_display = (
        "__str__",
        "user",
        "team",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    list_select_related = ("user", "team", "created_by")
    search_fields = ("hint", "user__username", "team__slug", "created_by__username")
    readonly_fields = ("hint", "user", "team", "created_by", "created_at", "last_used_at")
    fields = ("hint", "user", "team", "created_by", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
