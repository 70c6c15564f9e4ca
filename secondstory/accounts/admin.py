from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from secondstory.accounts.models import LoginFailure, Team, User
from secondstory.library.admin_sync import ReindexingAdmin


@admin.register(User)
class SecondstoryUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (*UserAdmin.fieldsets, ("Display", {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")


@admin.register(Team)
class TeamAdmin(ReindexingAdmin):
    indexed_through = "incidents__teams"
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)


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
