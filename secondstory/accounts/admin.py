from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from secondstory.accounts.models import Team, User
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
