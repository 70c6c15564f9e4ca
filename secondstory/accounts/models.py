"""People and teams."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from secondstory.core import taxonomy


class Role(models.TextChoices):
    """Organisation roles; what each may do is the table in docs/permissions.md."""

    ADMIN = "admin", "Admin"
    RESPONDER = "responder", "Responder"
    VIEWER = "viewer", "Viewer"


class User(AbstractUser):
    """A person. People appear in postmortems as facts, never as causes."""

    role = models.CharField(
        max_length=16,
        choices=Role.choices,
        default=Role.RESPONDER,
        help_text="Organisation role: admin, responder (declares incidents, writes "
        "postmortems) or viewer (reads what is visible to them).",
    )

    display_name = models.CharField(max_length=taxonomy.MAX_PERSON_NAME, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The zone pages show times in for this person (empty: the site default).",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Team(models.Model):
    slug = models.SlugField(max_length=taxonomy.MAX_SLUG, unique=True)
    name = models.CharField(max_length=150)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    maintainers = models.ManyToManyField(
        User,
        related_name="maintained_teams",
        blank=True,
        help_text="Members who may change the team, its incidents' visibility and teams.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LoginFailure(models.Model):
    """A failed sign-in, kept for the throttling window (see accounts.throttle)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.address}"
