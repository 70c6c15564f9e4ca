from django.apps import AppConfig


class GameDaysConfig(AppConfig):
    name = "secondstory.gamedays"
    label = "gamedays"
    verbose_name = "Game days and chaos experiments"

    def ready(self) -> None:
        from secondstory.audit.capture import Tracked, track
        from secondstory.gamedays.models import GameDay, Verification

        # Planning, status changes and verifications are recorded like other changes.
        track(GameDay, Tracked("key"))
        track(Verification, Tracked())
