from django.contrib import admin
from django.db import models

from secondstory.actions.models import ActionItem, PriorityPolicy, Recurrence, SavedFilter
from secondstory.library.admin_sync import ReindexingAdmin

# Links typed without a scheme are taken as https (the Django 6 default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ActionItem)
class ActionItemAdmin(ReindexingAdmin):
    indexed_through = "action_items"
    formfield_overrides = HTTPS_URLS
    list_display = ("title", "postmortem", "key", "type", "priority", "owner", "due", "status")
    list_filter = ("status", "priority", "type")
    list_select_related = ("postmortem", "owner")
    search_fields = ("title", "key", "postmortem__key", "owner__username", "owner__display_name")
    autocomplete_fields = ("postmortem", "owner", "factors")
    date_hierarchy = "due"


@admin.register(PriorityPolicy)
class PriorityPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("priority", "slo_days")


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "owner", "query", "created_at")
    list_select_related = ("owner",)
    search_fields = ("name", "query", "owner__username")
    raw_id_fields = ("owner",)


@admin.register(Recurrence)
class RecurrenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("item", "factor", "found_at", "notified_at")
    list_select_related = ("item", "factor")
    raw_id_fields = ("item", "factor")
