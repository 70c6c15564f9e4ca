from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from secondstory.accounts.models import Team, User
from secondstory.library.admin_sync import ReindexingAdmin


@admin.register(User)
class SecondstoryUserAdmin(UserAdmin):  # type: ignore[type-arg]
    # The organisation role decides what a person may do (docs/permissions.md).
    fieldsets = (  # type: ignore[assignment]
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("Display", {"fields": ("display_name",)}),
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
