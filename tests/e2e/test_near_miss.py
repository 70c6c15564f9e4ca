"""Report a near miss anonymously in a real browser, then check that no table holds the
reporter's name, e-mail or id and that no audit event is about the report."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.audit.models import AuditEvent
from secondstory.nearmiss.models import NearMiss
from tests.apps.nearmiss.traces import (
    dump,
    holding_user_id,
    new_or_changed,
    traces,
    user_columns,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_report_a_near_miss_anonymously_and_no_trace_of_the_name_is_stored(
    transactional_db: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    user = create_user(
        "quinn.reporter",
        password=PASSWORD,
        display_name="Quinn Xanthe Reporter",
        email="quinn.x@example.org",
        role="viewer",
    )
    Team.objects.create(slug="payments", name="Payments").members.add(user)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("quinn.reporter")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Near misses").click()
    page.get_by_role("link", name="Report a near miss").click()
    before = dump()

    page.get_by_label("What happened").fill("The deploy tool picked the wrong region.")
    page.get_by_label("What almost happened").fill("EU customers would have lost checkout.")
    page.get_by_label("What stopped it").fill("A second reviewer read the plan.")
    page.get_by_role("group", name="Teams").get_by_label("Payments").check()
    page.get_by_role("group", name="Factor categories").get_by_label("Tooling").check()
    page.get_by_label("Report anonymously").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you: your report was received")).to_be_visible()
    page.screenshot(path=str(artifacts / "near-miss-anonymous.png"), full_page=True)

    report = NearMiss.objects.get()
    assert report.reporter_id is None
    assert report.what_stopped_it == "A second reviewer read the plan."
    written = new_or_changed(before, dump())
    needles = [user.username, user.display_name, user.email]
    assert set(written) == {
        "nearmiss_nearmiss",
        "nearmiss_nearmiss_teams",
        "nearmiss_nearmiss_factor_categories",
    }
    assert traces(written, needles) == []
    assert "nearmiss_nearmiss" in user_columns()  # the reporter column is among those read
    assert holding_user_id(written, user.pk) == []
    assert not AuditEvent.objects.filter(object_type="nearmiss.nearmiss").exists()
    # The reporter does not find it among their own reports either.
    page.goto(live_server.url + "/near-misses/")
    expect(page.get_by_text("No reports to show.")).to_be_visible()


def test_a_responder_triages_a_report_and_turns_it_into_an_incident(
    transactional_db: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    create_user("alice", password=PASSWORD, display_name="Alice Responder")
    report = NearMiss.objects.create(
        what_happened="A config push skipped validation.",
        what_almost_happened="Every API node would have restarted at once.",
        reported_on=date(2026, 12, 1),
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/near-misses/")
    page.get_by_role("link", name=report.key).click()
    page.get_by_label("Status").select_option("triaged")
    page.get_by_label("Triage note").fill("Validation must not be skippable.")
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_text("Validation must not be skippable.").first).to_be_visible()
    page.get_by_label("Incident title").fill("Config push without validation")
    page.get_by_label("Severity").select_option("SEV3")
    page.get_by_role("button", name="Turn into an incident").click()
    expect(page.get_by_role("heading", name="Config push without validation")).to_be_visible()
    report.refresh_from_db()
    assert report.status == "became_incident" and report.incident is not None
    assert report.triage_note == "Validation must not be skippable."
