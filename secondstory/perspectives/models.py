"""First-person accounts, interview notes, their revisions and the invitations to write them.

Who reads an account is decided in ``secondstory.accounts.permissions`` (docs/permissions.md):
its author, the postmortem's owner and facilitator, and everyone who reads the postmortem once
the author shares it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from secondstory.core import perspectives


class Kind(models.TextChoices):
    ACCOUNT = perspectives.ACCOUNT, "Own account"
    INTERVIEW = perspectives.INTERVIEW, "Interview notes"


class Account(models.Model):
    """One person's account of an incident, or a facilitator's notes of an interview."""

    postmortem = models.ForeignKey(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="accounts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ACCOUNT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    interviewee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Interview notes: the person interviewed.",
    )
    saw = models.TextField(blank=True)
    expected = models.TextField(blank=True)
    assumed = models.TextField(blank=True)
    did = models.TextField(blank=True)
    normal = models.TextField(blank=True)
    surprised = models.TextField(blank=True)
    shared = models.BooleanField(
        default=False, help_text="The author shares it with everyone who reads the postmortem."
    )
    interviewee_agrees = models.BooleanField(
        default=False, help_text="Interview notes: the person interviewed agrees to share them."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "author"],
                condition=models.Q(kind="account"),
                name="one_account_per_author",
            ),
            models.UniqueConstraint(
                fields=["postmortem", "interviewee"],
                condition=models.Q(kind="interview"),
                name="one_interview_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="account", interviewee__isnull=True)
                | models.Q(kind="interview", interviewee__isnull=False),
                name="interviewee_only_on_interviews",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_interview(self) -> bool:
        return self.kind == Kind.INTERVIEW

    @property
    def person(self) -> object:
        """Whose perspective it is: the author, or the person interviewed."""
        return self.interviewee if self.is_interview else self.author

    @property
    def visible_to_all(self) -> bool:
        """Shared with every reader of the postmortem (interview notes: agreed to as well)."""
        return self.shared and (not self.is_interview or self.interviewee_agrees)

    def answers(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in perspectives.PROMPT_KEYS}


class AccountRevision(models.Model):
    """Every saved version of an account: nothing in it changes without a trace."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    answers = models.JSONField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="unique_account_revision")
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of {self.account}"


class Invitation(models.Model):
    """An invitation to write one's account of a postmortem (sent again: ``times`` grows)."""

    postmortem = models.ForeignKey(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="account_invitations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    times = models.PositiveIntegerField(default=1)
    first_sent_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField()

    class Meta:
        ordering = ["first_sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "person"], name="one_invitation_each")
        ]

    def __str__(self) -> str:
        return f"invitation #{self.pk}"
