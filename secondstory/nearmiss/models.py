"""A near miss or hazard: something that almost went wrong, reported by anyone.

An anonymous report has no reporter (``NULL``): the name is never stored, and its
creation writes no audit event (see docs/near-misses.md for what is and is not protected).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    CLOSED = "closed", "Closed"
    BECAME_INCIDENT = "became_incident", "Became an incident"


class NearMiss(models.Model):
    what_happened = models.TextField()
    what_almost_happened = models.TextField()
    what_stopped_it = models.TextField(blank=True)
    happened_on = models.DateField(null=True, blank=True, help_text="When it happened (a day).")
    services = models.ManyToManyField("incidents.Service", related_name="+", blank=True)
    teams = models.ManyToManyField("accounts.Team", related_name="near_misses", blank=True)
    factor_categories = models.ManyToManyField(
        "postmortems.FactorCategory", related_name="+", blank=True
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for an anonymous report.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    triage_note = models.TextField(blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="near_misses",
    )
    reported_on = models.DateField(
        help_text="The day it was reported (UTC). No time of day is kept, so that a report "
        "cannot be matched with the time of a request in a web server's log."
    )

    class Meta:
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["reported_on"], name="nearmiss_reported_on")]
        verbose_name = "near miss"
        verbose_name_plural = "near misses"

    def __str__(self) -> str:
        return f"NM-{self.pk}"

    @property
    def key(self) -> str:
        return f"NM-{self.pk}"

    @property
    def anonymous(self) -> bool:
        return self.reporter_id is None
