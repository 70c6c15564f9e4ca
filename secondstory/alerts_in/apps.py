from django.apps import AppConfig


class AlertsInConfig(AppConfig):
    name = "secondstory.alerts_in"
    label = "alerts_in"
    verbose_name = "Inbound alerts"

    def ready(self) -> None:
        from secondstory.alerts_in.models import AlertLink
        from secondstory.audit.capture import Tracked, track

        track(AlertLink, Tracked("external_id"))
