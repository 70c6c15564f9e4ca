"""How each alerting tool proves who it is, and how its priorities map to severities.

Everything comes from settings (env vars, docs/webhooks.md): an integration without a secret
is switched off and its endpoint answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# An alert's priority, urgency or severity label (case-insensitive) -> a severity code.
DEFAULT_SEVERITIES: dict[str, str] = {
    "p1": "SEV1",
    "p2": "SEV2",
    "p3": "SEV3",
    "p4": "SEV4",
    "p5": "SEV4",
    "critical": "SEV1",
    "high": "SEV2",
    "error": "SEV2",
    "major": "SEV2",
    "warning": "SEV3",
    "low": "SEV3",
    "minor": "SEV3",
    "info": "SEV4",
}


def pagerduty_secrets() -> list[str]:
    """The signing secrets of the PagerDuty webhook subscriptions (one per subscription)."""
    return [s for s in getattr(settings, "SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS", []) if s]


def opsgenie_token() -> str:
    return str(getattr(settings, "SECONDSTORY_OPSGENIE_WEBHOOK_TOKEN", ""))


def alertmanager_token() -> str:
    return str(getattr(settings, "SECONDSTORY_ALERTMANAGER_WEBHOOK_TOKEN", ""))


def severity_map() -> dict[str, str]:
    """The defaults with SECONDSTORY_ALERT_SEVERITIES (``P1=SEV1,warning=SEV4``) on top."""
    mapping = dict(DEFAULT_SEVERITIES)
    for pair in getattr(settings, "SECONDSTORY_ALERT_SEVERITIES", []):
        value, sep, code = pair.partition("=")
        if not sep or not value.strip() or not code.strip():
            raise ImproperlyConfigured(
                f"SECONDSTORY_ALERT_SEVERITIES: {pair!r} is not VALUE=SEVERITY (e.g. P1=SEV1)"
            )
        mapping[value.strip().casefold()] = code.strip()
    return mapping


def default_severity() -> str:
    return str(getattr(settings, "SECONDSTORY_ALERT_DEFAULT_SEVERITY", "SEV3"))
