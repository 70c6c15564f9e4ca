from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from secondstory.accounts.models import ApiToken, LoginFailure, SingleSignOnIdentity, Team, User
from secondstory.accounts.tokens import revoke
from secondstory.library.admin_sync import ReindexingAdmin


@admin.register(User)
class SecondstoryUserAdmin(UserAdmin):  # type: ignore[type-arg]
    # The organisation role decides what a person may do (docs/permissions.md).
    fieldsets = (  # type: ignore[assignment]
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("Display", {"fields": ("display_name", "time_zone")}),
        ("Organisation role", {"fields": ("role",)}),
    )
    list_display = ("username", "display_name", "email", "role", "is_staff", "is_active")
    list_filter = ("role", *UserAdmin.list_filter)
    search_fields = ("username", "display_name", "email")


@admin.register(Team)
class TeamAdmin(ReindexingAdmin):
    indexed_through = "incidents__teams"
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members", "maintainers")


@admin.register(SingleSignOnIdentity)
class SingleSignOnIdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "subject", "issuer", "last_sign_in_at")
    search_fields = ("user__username", "subject")
    raw_id_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "user",
        "hint",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    search_fields = ("name", "user__username", "hint")
    fields = ("user", "name", "hint", "scopes", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token's secret is shown once, to its person, on the account page

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            revoke(token)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Failed sign-ins in the throttling window; deleting them lets the person try again."""

    list_display = ("at", "username", "address")
    search_fields = ("username", "address")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
