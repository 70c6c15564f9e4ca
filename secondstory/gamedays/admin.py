from django.contrib import admin

from secondstory.gamedays.models import GameDay, Verification


@admin.register(GameDay)
class GameDayAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "status", "scheduled_at")
    list_filter = ("status",)
    search_fields = ("key", "title")
    raw_id_fields = ("postmortem", "near_miss", "created_by")


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ("item", "game_day", "by", "at")
    raw_id_fields = ("item", "game_day", "observation", "by")
