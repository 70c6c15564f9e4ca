from django.apps import AppConfig


class NearMissConfig(AppConfig):
    name = "secondstory.nearmiss"
    label = "nearmiss"
    verbose_name = "Near misses and hazards"

    def ready(self) -> None:
        from secondstory.audit.capture import Tracked, track
        from secondstory.nearmiss.models import NearMiss

        # An anonymous report's creation is left out of the log by the service
        # (``capture.unrecorded``); triage and later changes are recorded as usual.
        track(NearMiss, Tracked())
