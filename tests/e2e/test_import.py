"""Importing a mixed incident in a real browser: Slack + PagerDuty + Alertmanager + git log."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from secondstory.postmortems.models import Postmortem

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
MIXED = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "mixed"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def incident(transactional_db: None) -> Incident:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    team = Team.objects.create(slug="payments", name="Payments")
    team.members.set([alice])
    incident = Incident.objects.create(
        key="INC-42", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    incident.teams.add(team)
    postmortem = Postmortem.objects.create(
        key="PM-42", title="Checkout errors", owner=alice, created_at=timezone.now()
    )
    postmortem.incidents.add(incident)
    return incident


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    export = tmp_path / "slack-export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for path in sorted((MIXED / "slack").rglob("*.json")):
            archive.write(path, path.relative_to(MIXED / "slack").as_posix())
    names = ("pagerduty.json", "alertmanager.json", "git.log")
    return [str(export), *(str(MIXED / name) for name in names)]


def test_import_a_mixed_incident(
    incident: Incident, files: list[str], live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")

    # From the postmortem's timeline section to the incident's import page.
    page.goto(live_server.url + "/postmortems/PM-42/")
    page.locator(".timeline-import").get_by_role("link", name="INC-42").click()
    expect(page.get_by_role("heading", name="Import timeline events")).to_be_visible()
    page.get_by_label("Files to import").set_input_files(files)
    page.get_by_label("Zone of times without an offset").fill("UTC")
    page.get_by_role("button", name="Preview").click()

    counts = page.locator(".import-counts")
    expect(counts).to_contain_text("11 new events")
    expect(counts).to_contain_text("2 grouped")
    expect(counts).to_contain_text("slack_token 1")
    expect(page.locator(".import-grouped")).to_have_count(2)
    expect(page.locator(".import-redacted")).to_have_count(1)
    expect(page.get_by_text("AbCdEfGhIjKlMnOpQrStUvWx")).to_have_count(0)
    page.screenshot(path=artifacts / "import-01-preview.png", full_page=True)

    # Leave out the first commit, confirm the detected milestone, import.
    first_commit = "git:3f6a9d2c1b0e8f7a6d5c4b3a2918e7d6c5b4a392"
    page.locator(f'input[name="keep"][value="{first_commit}"]').uncheck()
    page.locator('input[name="milestone"][value="detected"]').check()
    page.get_by_role("button", name="Import the ticked events").click()
    # Started from the postmortem, the import lands back on its timeline.
    expect(page).to_have_url(re.compile(r"/postmortems/PM-42/#timeline$"))
    expect(page.get_by_text(re.compile(r"Imported 10 events"))).to_be_visible()
    page.screenshot(path=artifacts / "import-02-done.png", full_page=True)

    assert TimelineEvent.objects.filter(incident=incident).count() == 10
    assert incident.milestone_at("detected") == datetime(2026, 3, 4, 14, 1, 30, 512847, tzinfo=UTC)

    # The merged timeline on the postmortem's page.
    page.goto(live_server.url + "/postmortems/PM-42/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Revert")
    expect(timeline).to_contain_text("CheckoutErrorRate")
    expect(timeline).to_contain_text("[REDACTED:slack_token]")
    expect(
        timeline.get_by_text("Lower the checkout database pool to 20", exact=True)
    ).to_have_count(0)
    assert refused == []
