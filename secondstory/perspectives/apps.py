from django.apps import AppConfig


class PerspectivesConfig(AppConfig):
    name = "secondstory.perspectives"
    label = "perspectives"
    verbose_name = "First-person accounts and interview notes"

    def ready(self) -> None:
        from secondstory.audit.capture import Tracked, track
        from secondstory.core.perspectives import PROMPT_KEYS
        from secondstory.perspectives.models import Account, Invitation

        # Sharing, withdrawing and agreeing are recorded with their before and after; the
        # answers only as "(changed)": the audit log is no back door to an unshared account
        # (its revisions keep the text, for those who may read the account).
        track(Account, Tracked(secret=frozenset(PROMPT_KEYS)))
        track(Invitation, Tracked())
