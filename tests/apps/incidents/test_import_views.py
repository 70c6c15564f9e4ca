"""Importing in the browser without JavaScript: upload, merged preview, untick, confirm."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.import_staging import staging_root
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from tests.apps.conftest import client_for

MIXED = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "mixed"


def slack_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((MIXED / "slack").rglob("*.json")):
            archive.write(path, path.relative_to(MIXED / "slack").as_posix())
    return buffer.getvalue()


def uploads() -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile("slack-export.zip", slack_zip()),
        SimpleUploadedFile("pagerduty.json", (MIXED / "pagerduty.json").read_bytes()),
        SimpleUploadedFile("alertmanager.json", (MIXED / "alertmanager.json").read_bytes()),
        SimpleUploadedFile("git.log", (MIXED / "git.log").read_bytes()),
    ]


@pytest.fixture(autouse=True)
def own_staging(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path


@pytest.fixture
def incident(alice: User, payments: Team) -> Incident:
    incident = Incident.objects.create(
        key="INC-42", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    incident.teams.add(payments)
    return incident


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def preview(client: Client, **fields: str):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"files": uploads(), "zone": "UTC", **fields}
    return client.post(reverse("incidents:import", args=["INC-42"]), data)


def confirm_url(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(
        r'action="(/incidents/INC-42/import/[0-9a-f]{32}/)"', response.content.decode()
    )
    assert match, "the preview has a confirmation form"
    return match.group(1)


def test_the_upload_form_lists_the_formats(incident: Incident, alice: User) -> None:
    response = client_for(alice).get(reverse("incidents:import", args=["INC-42"]))
    assert response.status_code == 200
    page = text(response)
    assert 'type="file" name="files"' in page
    for name in ("slack", "pagerduty", "alertmanager", "gitlog", "statuspage", "csv"):
        assert f"<dt>{name}</dt>" in page


def test_the_preview_marks_groups_redactions_and_suggests_milestones(
    incident: Incident, alice: User
) -> None:
    response = preview(client_for(alice))
    assert response.status_code == 200
    page = text(response)
    assert "<strong>11</strong> new events" in page
    assert "<strong>2</strong> grouped" in page
    assert "slack_token 1" in page
    assert "grouped into alertmanager:" in page
    assert 'class="badge redacted"' in page
    assert 'name="milestone" value="detected"' in page
    assert "first firing alert" in page
    assert "AbCdEfGhIjKlMnOpQrStUvWx" not in page
    assert not TimelineEvent.objects.exists()  # nothing is written before the confirmation


def test_confirming_imports_what_stays_ticked(incident: Incident, alice: User) -> None:
    client = client_for(alice)
    response = preview(client)
    keep = re.findall(r'name="keep" value="([^"]+)"', response.content.decode())
    assert len(keep) == 13
    dropped = "git:3f6a9d2c1b0e8f7a6d5c4b3a2918e7d6c5b4a392"
    kept = [ref for ref in keep if ref != dropped]
    done = client.post(
        confirm_url(response), {"keep": kept, "milestone": ["detected"], "confirm": "1"}
    )
    assert done.status_code == 302
    assert TimelineEvent.objects.filter(incident=incident).count() == 10
    assert incident.milestone_at("detected") == datetime(2026, 3, 4, 14, 1, 30, 512847, tzinfo=UTC)
    assert incident.milestone_at("resolved") is None
    follow = client.get(done["Location"])
    assert "Imported 10 events" in text(follow)
    assert not any(staging_root().glob("*"))  # the upload is forgotten once imported


def test_a_second_upload_of_the_same_files_shows_them_as_already_there(
    incident: Incident, alice: User
) -> None:
    client = client_for(alice)
    first = preview(client)
    keep = re.findall(r'name="keep" value="([^"]+)"', first.content.decode())
    client.post(confirm_url(first), {"keep": keep, "confirm": "1"})
    second = preview(client)
    page = text(second)
    assert "<strong>0</strong> new events" in page
    assert page.count("already there") >= 13


def test_cancel_writes_nothing_and_forgets_the_upload(incident: Incident, alice: User) -> None:
    client = client_for(alice)
    response = preview(client)
    done = client.post(confirm_url(response), {"cancel": "1"})
    assert done.status_code == 302
    assert not TimelineEvent.objects.exists()
    assert client.post(confirm_url(response), {"confirm": "1"}).status_code == 404


def test_a_bad_file_is_refused_with_its_name_and_nothing_is_kept(
    incident: Incident, alice: User
) -> None:
    bad = SimpleUploadedFile("alerts.json", b'{"version": "4", "alerts": [{"status": "firing"')
    response = client_for(alice).post(
        reverse("incidents:import", args=["INC-42"]),
        {"files": [bad], "zone": "UTC", "fmt": "alertmanager"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was imported: alerts.json" in page
    assert not any(staging_root().glob("*"))


def test_no_files_is_a_clear_error(incident: Incident, alice: User) -> None:
    response = client_for(alice).post(reverse("incidents:import", args=["INC-42"]), {"zone": ""})
    assert response.status_code == 400
    assert "Choose at least one file" in text(response)


def test_only_editors_may_import_and_outsiders_see_nothing(
    incident: Incident, alice: User, charlie: User
) -> None:
    incident.visibility = "restricted"
    incident.save()
    assert client_for(charlie).get(reverse("incidents:import", args=["INC-42"])).status_code == 404


def test_another_users_upload_cannot_be_confirmed(
    incident: Incident, alice: User, bob: User
) -> None:
    response = preview(client_for(alice))
    assert client_for(bob).post(confirm_url(response), {"confirm": "1"}).status_code == 404
    assert not TimelineEvent.objects.exists()


def test_api_pages_uploaded_with_their_users_file_show_names(
    incident: Incident, alice: User
) -> None:
    folder = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "slack_api"
    files = [
        SimpleUploadedFile("C05INCORD.json", (folder / "history-C05INCORD.json").read_bytes()),
        SimpleUploadedFile("users.json", (folder / "users-list.json").read_bytes()),
    ]
    response = client_for(alice).post(
        reverse("incidents:import", args=["INC-42"]), {"files": files, "zone": "UTC"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "<strong>6</strong> new events" in page
    assert (
        '<span class="file-name">users.json</span> not imported on its own: Slack users, read '
        "with the message pages beside them" in page
    )
    assert "Dara Okafor" in page and "Kofi Mensah" in page
    assert not TimelineEvent.objects.exists()
