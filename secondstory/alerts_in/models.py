"""Which secondstory incident an alerting tool's incident, alert or alert group became."""

from __future__ import annotations

from django.db import models

from secondstory.core import taxonomy

SYSTEM_CHOICES = [
    ("pagerduty", "PagerDuty"),
    ("opsgenie", "Opsgenie"),
    ("alertmanager", "Alertmanager"),
]


class AlertLink(models.Model):
    """One PagerDuty incident, Opsgenie alert or Alertmanager group key, and its incident.

    Every later delivery about the same thing lands on the same incident. ``milestones``
    remembers the instants this link set (``{"detected": "2026-…"}``): a milestone still at
    that instant may be moved by a later delivery; one a person changed is left alone.
    """

    system = models.CharField(max_length=20, choices=SYSTEM_CHOICES)
    external_id = models.CharField(max_length=taxonomy.MAX_IDENTIFIER)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="alert_links"
    )
    milestones = models.JSONField(default=dict, blank=True)
    deliveries = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["system", "external_id"], name="one_incident_per_alert")
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.external_id}"
