from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from secondstory.actions.models import ActionItem
from secondstory.library.admin_sync import ReindexingAdmin
from secondstory.postmortems.models import (
    Comment,
    ContributingFactor,
    FactorCategory,
    Postmortem,
    PostmortemTemplate,
    PostmortemTransition,
    PostmortemVisit,
    ReviewCache,
    ReviewDismissal,
    Revision,
)

# Links typed without a scheme are taken as https (the Django 6 default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FactorCategory)
class FactorCategoryAdmin(ReindexingAdmin):
    indexed_through = "factors__category"
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
class PostmortemAdmin(ReindexingAdmin):
    indexed_through = "pk"
    list_display = ("key", "title", "status", "owner", "created_at", "published_at")
    list_filter = ("status",)
    list_select_related = ("owner",)
    search_fields = ("key", "title", "summary")
    date_hierarchy = "created_at"
    autocomplete_fields = ("owner", "facilitator", "incidents", "collaborators", "reviewers")
    inlines = (ContributingFactorInline, ActionItemInline, PostmortemTransitionInline)


@admin.register(ContributingFactor)
class ContributingFactorAdmin(ReindexingAdmin):
    indexed_through = "factors"
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


@admin.register(PostmortemTemplate)
class PostmortemTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "built_in", "position")
    search_fields = ("name", "slug", "description")
    readonly_fields = ("built_in",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "author", "section", "created_at", "resolved_at")
    list_filter = ("section",)
    list_select_related = ("postmortem", "author")
    search_fields = ("postmortem__key", "body")
    autocomplete_fields = ("postmortem", "author", "resolved_by")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "number", "author", "created_at", "summary")
    list_select_related = ("postmortem", "author")
    search_fields = ("postmortem__key", "summary")
    readonly_fields = ("postmortem", "number", "author", "created_at", "summary", "snapshot")


@admin.register(ReviewDismissal)
class ReviewDismissalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("postmortem", "section", "rule", "text", "by", "at")
    list_filter = ("rule", "section")
    list_select_related = ("postmortem", "by")
    search_fields = ("postmortem__key", "text", "reason")
    readonly_fields = ("postmortem", "section", "rule", "text", "sentence", "reason", "by", "at")


@admin.register(ReviewCache)
class ReviewCacheAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Stored review findings: shown for support, never edited (a save reviews again)."""

    list_display = ("postmortem", "section", "reviewed_at")
    list_filter = ("section",)
    list_select_related = ("postmortem",)
    search_fields = ("postmortem__key",)
    readonly_fields = ("postmortem", "section", "fingerprint", "findings", "reviewed_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PostmortemVisit)
class PostmortemVisitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The revision each person saw last ("changed since your last visit"): read only."""

    list_display = ("postmortem", "user", "revision_number", "seen_at")
    list_select_related = ("postmortem", "user")
    search_fields = ("postmortem__key", "user__username")
    readonly_fields = ("postmortem", "user", "revision_number", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
