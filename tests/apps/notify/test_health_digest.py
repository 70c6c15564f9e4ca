"""The monthly learning-health digest goes out once per month and channel, with the checks
whose status changed, through the same delivery log as the other digests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from secondstory.accounts.models import User
from secondstory.cli.main import cli
from secondstory.incidents.models import Incident
from secondstory.insights.health_digest import send_health_digests
from secondstory.notify.jobs import periodic_job_paths
from secondstory.notify.models import Delivery
from tests.apps.notify.conftest import Inbox

FIXTURES = Path(__file__).parents[2] / "fixtures" / "health"


def test_the_digest_lists_changed_checks_once_a_month(smtp: Inbox, alice: User) -> None:
    alice.role = "admin"
    alice.save()
    result = CliRunner().invoke(cli, ["load", str(FIXTURES / "failure-outpacing-learning")])
    assert result.exit_code == 0, result.output
    restricted = "PM-0090"
    Incident.objects.filter(postmortems__key=restricted).update(visibility="restricted")

    first = send_health_digests(date(2026, 7, 3))
    again = send_health_digests(date(2026, 7, 20))

    assert [d.status for d in first] == ["sent"] and again == []
    assert len(smtp.messages) == 1
    body = smtp.body(0).replace("\r\n", "\n")

    assert "changed status by 2026-06-30" in body
    assert "- failure-outpacing-learning (organisation): warn -> alarm." in body
    assert restricted not in body and "and 1 restricted" in body
    assert Delivery.objects.get().key == f"health-digest:{alice.pk}:2026-07"

    send_health_digests(date(2026, 8, 2))
    assert len(smtp.messages) == 2


def test_the_worker_runs_the_digest_with_the_other_periodic_jobs() -> None:
    assert "secondstory.insights.health_digest.send_health_digests" in periodic_job_paths()
