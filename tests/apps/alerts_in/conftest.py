"""Real payloads of each alerting tool (the importers' fixture files), signed as they sign."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
PD_SECRET = "pd-subscription-secret-1"
OG_TOKEN = "opsgenie-token-0123456789"
AM_TOKEN = "alertmanager-token-0123456789"


def pagerduty_events() -> list[bytes]:
    """The PagerDuty v3 deliveries of one incident, in the order PagerDuty sent them."""
    path = FIXTURES / "pagerduty" / "webhooks.jsonl"
    return [line.encode() for line in path.read_text().splitlines() if line.strip()]


def opsgenie_events() -> list[bytes]:
    items = json.loads((FIXTURES / "opsgenie" / "webhooks.json").read_text())
    return [json.dumps(item).encode() for item in items]


def alertmanager_events() -> list[bytes]:
    path = FIXTURES / "alertmanager" / "notifications.jsonl"
    return [line.encode() for line in path.read_text().splitlines() if line.strip()]


def pd_signature(body: bytes, secret: str = PD_SECRET) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_pagerduty(client: Client, body: bytes, signature: str | None = None) -> Any:
    return client.post(
        "/integrations/pagerduty",
        body,
        content_type="application/json",
        headers={"X-PagerDuty-Signature": signature or pd_signature(body)},
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def integrations(settings: Any) -> None:
    settings.SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS = [PD_SECRET]
    settings.SECONDSTORY_OPSGENIE_WEBHOOK_TOKEN = OG_TOKEN
    settings.SECONDSTORY_ALERTMANAGER_WEBHOOK_TOKEN = AM_TOKEN
    settings.SECONDSTORY_ALERT_SEVERITIES = []
