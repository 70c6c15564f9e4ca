from django.contrib import admin
from django.db import models

from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import (
    ContributingFactor,
    FactorCategory,
    Postmortem,
    PostmortemTransition,
)

# Links typed without a scheme are taken as https (the Django 6 default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FactorCategory)
class FactorCategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "position")
    search_fields = ("code", "name", "description")


class ContributingFactorInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ContributingFactor
    extra = 0
    fields = ("key", "position", "category", "description", "evidence", "events")
    autocomplete_fields = ("events",)


class ActionItemInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ActionItem
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = (
        ("key", "position"),
        "title",
        ("type", "priority", "status"),
        ("owner", "due"),
        "reason",
        "done_criterion",
        "tracker_url",
        "factors",
        "completed_at",
    )
    autocomplete_fields = ("owner", "factors")


class PostmortemTransitionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PostmortemTransition
    extra = 0
    fields = ("at", "from_status", "to_status", "by", "note")
    autocomplete_fields = ("by",)


@admin.register(Postmortem)
class PostmortemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "title", "status", "owner", "created_at", "published_at")
    list_filter = ("status",)
    list_select_related = ("owner",)
    search_fields = ("key", "title", "summary")
    date_hierarchy = "created_at"
    autocomplete_fields = ("owner", "facilitator", "incidents", "collaborators", "reviewers")
    inlines = (ContributingFactorInline, ActionItemInline, PostmortemTransitionInline)


@admin.register(ContributingFactor)
class ContributingFactorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "key", "category", "description")
    list_filter = ("category",)
    list_select_related = ("postmortem", "category")
    search_fields = ("key", "description", "evidence", "postmortem__key")
    autocomplete_fields = ("postmortem", "events")


@admin.register(PostmortemTransition)
class PostmortemTransitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    list_select_related = ("postmortem", "by")
    search_fields = ("postmortem__key", "note")
    autocomplete_fields = ("postmortem", "by")
    date_hierarchy = "at"
