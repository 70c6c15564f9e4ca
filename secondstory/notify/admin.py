from django.contrib import admin

from secondstory.notify.models import Delivery, NotificationChannel, WorkerHeartbeat


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "enabled", "created_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "last_attempt_at",
        "channel_label",
        "recipient",
        "kind",
        "item",
        "status",
        "attempts",
        "error",
    )
    list_filter = ("status", "kind", "channel_key")
    list_select_related = ("recipient", "item")
    search_fields = ("key", "subject", "address", "recipient__username", "error")
    date_hierarchy = "last_attempt_at"
    readonly_fields = (
        "channel_key",
        "channel",
        "channel_label",
        "recipient",
        "address",
        "kind",
        "key",
        "item",
        "subject",
        "text",
        "status",
        "error",
        "attempts",
        "created_at",
        "last_attempt_at",
        "claimed_until",
        "sent_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Which worker processes gave a sign of life, and when: read only, the workers write it."""

    list_display = ("host", "pid", "started_at", "beat_at")
    search_fields = ("host", "worker_id")
    readonly_fields = ("worker_id", "host", "pid", "started_at", "beat_at")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
