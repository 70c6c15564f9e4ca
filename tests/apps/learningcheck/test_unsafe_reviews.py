"""The ``unsafe-reviews`` learning-health check over the simulated organisations: a team
whose reviews feel unsafe is alarmed with its reviews as evidence; the healthy
organisation raises nothing."""

from __future__ import annotations

import pytest

from tests.apps.insights.test_health_cli import health, load
from tests.fixtures.health.learning_checks import plant

pytestmark = pytest.mark.django_db


def unsafe_reviews(body: dict) -> dict[str, dict]:
    return {c["scope"]["team"]: c for c in body["checks"] if c["id"] == "unsafe-reviews"}


def test_the_healthy_organisation_feels_safe() -> None:
    load("healthy")
    plant()
    code, body = health()
    found = unsafe_reviews(body)
    assert set(found) == {"platform", "checkout", "data", "identity"}
    assert all(c["status"] == "ok" and c["value"] is not None for c in found.values()), found
    assert all(c["value"] <= 0.2 for c in found.values())
    assert code == 0


def test_a_team_whose_reviews_feel_unsafe_is_alarmed_with_its_reviews() -> None:
    load("healthy")
    keys = set(plant(unsafe_team="checkout"))
    code, body = health()
    found = unsafe_reviews(body)
    assert found["checkout"]["status"] == "alarm" and code == 1
    assert found["checkout"]["evidence"] and set(found["checkout"]["evidence"]) <= keys
    assert all(found[t]["status"] == "ok" for t in ("platform", "data", "identity"))
