from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "secondstory.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from secondstory.audit import capture, sign_in

        capture.connect()
        sign_in.connect()
