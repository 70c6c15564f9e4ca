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

    is_service_account = models.BooleanField(
        default=False,
        help_text="Not a person: a script or system that acts only through API tokens an "
        "admin gives it; it never signs in.",
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


class SingleSignOnIdentity(models.Model):
    """The account an identity provider's subject signs in to (OpenID Connect ``iss`` + ``sub``).

    Accounts are found by this pair, never by a name or an e-mail address the provider lets
    people change.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class TokenScope(models.TextChoices):
    """What a personal API token may do; the one list the API checks tokens against."""

    READ = "read", "Read: everything the person may see"
    WRITE = "write", "Write: change what the person may change (includes read)"
    # The same, narrowed to one part of the API (docs/api.md, "Scopes").
    INCIDENTS_READ = "incidents:read", "Incidents and timelines: read"
    INCIDENTS_WRITE = "incidents:write", "Incidents and timelines: write"
    POSTMORTEMS_READ = "postmortems:read", "Postmortems and factors: read"
    POSTMORTEMS_WRITE = "postmortems:write", "Postmortems and factors: write"
    ACTIONS_READ = "actions:read", "Action items: read"
    ACTIONS_WRITE = "actions:write", "Action items: write"
    LIBRARY_READ = "library:read", "Search and similar incidents: read"
    INSIGHTS_READ = "insights:read", "Learning-health checks: read"


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 digest of the secret is stored; ``hint`` keeps
    its first characters to tell tokens apart in lists. It acts with its person's rights,
    narrowed to its scopes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def allows(self, scope: str) -> bool:
        """Whether the token's scopes cover ``scope`` (write includes read; ``read`` and
        ``write`` cover every part, ``postmortems:write`` only postmortems)."""
        granted = set(self.scopes)
        part, _, level = scope.partition(":")
        if not level:  # "read" or "write" itself
            return scope in granted or (scope == TokenScope.READ and TokenScope.WRITE in granted)
        if level == TokenScope.READ:
            wanted = {TokenScope.READ, TokenScope.WRITE, scope, f"{part}:{TokenScope.WRITE}"}
        else:
            wanted = {TokenScope.WRITE, scope}
        return bool(wanted & granted)


class LoginFailure(models.Model):
    """A failed sign-in, kept for the throttling window (see accounts.throttle)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.address}"
