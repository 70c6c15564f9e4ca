from django.contrib import admin

from secondstory.reviews.models import Decision, ReviewMeeting, ReviewPolicy


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("severity", "business_days")
    list_select_related = ("severity",)


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: meetings change through their page, which sends the invites."""

    list_display = ("postmortem", "starts_at", "status", "facilitator", "sequence")
    list_filter = ("status",)
    list_select_related = ("postmortem", "facilitator")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "text", "recorded_by", "recorded_at")
    list_select_related = ("postmortem", "recorded_by")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
