from django.apps import AppConfig


class OutgoingConfig(AppConfig):
    name = "secondstory.outgoing"
    label = "outgoing"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from secondstory.audit.capture import Tracked, track
        from secondstory.outgoing.models import WebhookEndpoint

        track(WebhookEndpoint, Tracked("name", secret=frozenset({"secret", "url"})))
