"""Models of the feeds app: calendar feed tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarToken(models.Model):
    """The credential of one iCalendar feed of action-item due dates.

    A feed is either personal (``user``: the items that person owns) or a team's (``team``:
    the items owned by the team's current members). Only the SHA-256 digest of the token is
    stored, so the feed URL cannot be recovered from the database; ``hint`` keeps the first
    characters to tell feeds apart in lists.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=8, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_tokens",
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_tokens",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, team__isnull=True)
                | models.Q(user__isnull=True, team__isnull=False),
                name="calendar_token_user_or_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.hint}…)"

    @property
    def label(self) -> str:
        if self.team_id is not None:
            assert self.team is not None
            return f"Action items of the {self.team.name} team"
        assert self.user is not None
        return f"Action items of {self.user.name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
