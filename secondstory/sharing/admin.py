from django.contrib import admin
from django.http import HttpRequest

from secondstory.sharing.models import CustomerSummary, DigestCursor, FeedToken, Subscription


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Feeds are created on the Sharing page (which shows the URL once); the admin lists
    them and revokes them by setting "revoked at"."""

    list_display = ("__str__", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope", "revoked_at")
    list_select_related = ("created_by", "team", "service", "tag")
    search_fields = ("hint", "created_by__username")
    readonly_fields = ("hint", "scope", "team", "service", "tag", "created_by", "created_at",
                       "last_used_at")  # fmt: skip
    fields = (*readonly_fields, "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "user", "scope", "created_at")
    list_filter = ("scope",)
    list_select_related = ("user", "team", "service", "tag")
    search_fields = ("user__username", "team__slug", "service__slug", "tag__slug")
    raw_id_fields = ("user",)


@admin.register(DigestCursor)
class DigestCursorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "through", "period")
    list_select_related = ("user",)
    search_fields = ("user__username",)


@admin.register(CustomerSummary)
class CustomerSummaryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "updated_at", "updated_by")
    list_select_related = ("postmortem", "updated_by")
    search_fields = ("postmortem__key", "text")
    readonly_fields = ("postmortem", "updated_at", "updated_by")
