from django.contrib import admin
from django.db import models

from secondstory.incidents.models import (
    DurationMetric,
    EventReference,
    ExternalReference,
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)
from secondstory.library.admin_sync import ReindexingAdmin

# Links typed without a scheme are taken as https (the Django 6 default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Severity)
class SeverityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "rank")
    search_fields = ("code", "name")


@admin.register(MilestoneKind)
class MilestoneKindAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "position")
    search_fields = ("code", "name")


@admin.register(DurationMetric)
class DurationMetricAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "start", "end", "position")
    list_select_related = ("start", "end")
    search_fields = ("code", "name")


@admin.register(Service)
class ServiceAdmin(ReindexingAdmin):
    indexed_through = "incidents__services"
    list_display = ("name", "slug", "team")
    list_filter = ("team",)
    list_select_related = ("team",)
    search_fields = ("name", "slug", "description")


@admin.register(Tag)
class TagAdmin(ReindexingAdmin):
    indexed_through = "incidents__tags"
    list_display = ("slug",)
    search_fields = ("slug",)


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Milestone
    extra = 0
    fields = ("kind", "at", "utc_offset_minutes")


class ExternalReferenceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ExternalReference
    formfield_overrides = HTTPS_URLS
    extra = 0


class TimelineEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TimelineEvent
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ("at", "kind", "source", "source_ref", "actor", "text", "starred", "known_at_the_time")
    show_change_link = True


@admin.register(Incident)
class IncidentAdmin(ReindexingAdmin):
    indexed_through = "incidents"
    list_display = ("key", "title", "severity", "visibility", "created_at")
    list_filter = ("severity", "visibility", "services", "teams", "tags")
    list_select_related = ("severity",)
    search_fields = ("key", "title")
    date_hierarchy = "created_at"
    filter_horizontal = ("services", "teams", "tags")
    inlines = (MilestoneInline, ExternalReferenceInline, TimelineEventInline)


@admin.register(ExternalReference)
class ExternalReferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    formfield_overrides = HTTPS_URLS
    list_display = ("system", "identifier", "incident", "url")
    list_filter = ("system",)
    list_select_related = ("incident",)
    search_fields = ("identifier", "incident__key", "url")
    autocomplete_fields = ("incident",)


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("incident", "kind", "at", "utc_offset_minutes")
    list_filter = ("kind",)
    list_select_related = ("incident", "kind")
    search_fields = ("incident__key", "incident__title")
    autocomplete_fields = ("incident",)


class EventReferenceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EventReference
    fk_name = "event"
    extra = 0
    fields = ("source", "source_ref", "at", "utc_offset_minutes", "text")
    readonly_fields = fields
    can_delete = False


@admin.register(EventReference)
class EventReferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "incident", "source", "source_ref", "event")
    list_filter = ("source",)
    list_select_related = ("incident", "event")
    search_fields = ("source_ref", "text", "incident__key")
    raw_id_fields = ("incident", "event")


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReindexingAdmin):
    indexed_through = "incidents__timeline"
    formfield_overrides = HTTPS_URLS
    inlines = (EventReferenceInline,)
    list_display = ("at", "incident", "kind", "source", "actor", "starred", "known_at_the_time")
    list_filter = ("kind", "source", "starred", "known_at_the_time")
    list_select_related = ("incident",)
    search_fields = ("text", "source_ref", "actor", "incident__key")
    autocomplete_fields = ("incident",)
    date_hierarchy = "at"
