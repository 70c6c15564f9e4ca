from django.contrib import admin

from secondstory.alerts_in.models import AlertLink


@admin.register(AlertLink)
class AlertLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("system", "external_id", "incident", "deliveries", "last_delivery_at")
    list_filter = ("system",)
    list_select_related = ("incident",)
    search_fields = ("external_id", "incident__key", "incident__title")
    readonly_fields = ("system", "external_id", "incident", "milestones", "deliveries",
                       "created_at", "last_delivery_at")  # fmt: skip

    def has_add_permission(self, request: object) -> bool:
        return False
