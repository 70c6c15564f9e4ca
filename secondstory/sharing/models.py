"""Models of the sharing app: Atom feed tokens, subscriptions, digest progress and the
customer-facing summary of a postmortem."""

from __future__ import annotations

from django.conf import settings
from django.db import models

SCOPE_CHOICES = [
    ("all", "all published postmortems"),
    ("team", "a team"),
    ("service", "a service"),
    ("tag", "a tag"),
]


class ScopedMixin(models.Model):
    """What a feed or a subscription covers: everything, or one team, service or tag."""

    scope = models.CharField(max_length=10, choices=SCOPE_CHOICES, default="all")
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "incidents.Service", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(
        "incidents.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def scope_label(self) -> str:
        if self.scope == "team" and self.team is not None:
            return f"the {self.team.name} team"
        if self.scope == "service" and self.service is not None:
            return f"the {self.service.name} service"
        if self.scope == "tag" and self.tag is not None:
            return f"the tag “{self.tag.slug}”"
        return "all published postmortems"

    @property
    def scope_value(self) -> str:
        """The form value of the scope: "all", "team:<slug>", "service:<slug>", "tag:<slug>"."""
        target = {"team": self.team, "service": self.service, "tag": self.tag}.get(self.scope)
        return "all" if target is None else f"{self.scope}:{target.slug}"


def _one_target(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=(
                models.Q(scope="all", team__isnull=True, service__isnull=True, tag__isnull=True)
                | models.Q(scope="team", team__isnull=False, service__isnull=True, tag__isnull=True)
                | models.Q(
                    scope="service", team__isnull=True, service__isnull=False, tag__isnull=True
                )
                | models.Q(scope="tag", team__isnull=True, service__isnull=True, tag__isnull=False)
            ),
            name=f"{prefix}_one_target",
        )
    ]


class FeedToken(ScopedMixin):
    """The credential of one Atom feed of published postmortems.

    Only the SHA-256 digest of the token is stored; ``hint`` keeps its first characters to
    tell feeds apart. The feed shows what its creator may read, checked on every fetch.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="atom_feeds"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = _one_target("feed_token")

    def __str__(self) -> str:
        return f"Feed of {self.scope_label} ({self.hint}…)"


class Subscription(ScopedMixin):
    """A person's wish to hear about newly published postmortems of a team, service or tag."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "scope", "id"]
        constraints = [
            *_one_target("subscription"),
            *(
                models.UniqueConstraint(
                    fields=["user", kind],
                    condition=models.Q(scope=kind),
                    name=f"unique_{kind}_subscription",
                )
                for kind in ("team", "service", "tag")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.scope_label}"


class DigestCursor(models.Model):
    """How far a person's publication digests have got: postmortems published after
    ``through`` are news; ``period`` is the last period (e.g. 2026-W09) a digest went out."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_cursor"
    )
    through = models.DateTimeField()
    period = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: digests through {self.through:%Y-%m-%d %H:%M}"


class CustomerSummary(models.Model):
    """The customer-facing account of a postmortem, kept apart from the internal review."""

    postmortem = models.OneToOneField(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="customer_summary"
    )
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "customer summaries"

    def __str__(self) -> str:
        return f"Customer summary of {self.postmortem}"
