"""Upload limits in the browser: request size, number of files, zip bombs, private files."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.import_staging import MAX_FILES, staging_root
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from tests.apps.conftest import client_for

URL = reverse("incidents:import", args=["INC-42"])
DAY = [{"type": "message", "ts": "1772323200.000100", "user": "U1", "text": "paging db"}]


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


def slack_zip(day_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps([{"id": "U1", "name": "ana"}]))
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
        archive.writestr("incident/2026-03-01.json", day_bytes)
    return buffer.getvalue()


def test_a_request_over_the_limit_is_refused_before_it_is_read(
    incident: Incident,
    alice: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SECONDSTORY_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("chat.log", b"14:02 <ana> paged\n" * 70_000)
    response = client_for(alice).post(URL, {"files": [big], "zone": "UTC"})
    assert response.status_code == 413
    page = text(response)
    assert "Upload too big" in page and "at most 1 MiB are accepted at once" in page
    assert "Nothing was imported" in page
    assert not staging_root().exists() or not any(staging_root().iterdir())


def test_too_many_files_are_refused_with_the_limit(incident: Incident, alice: User) -> None:
    files = [SimpleUploadedFile(f"{n}.log", b"14:02 <ana> paged\n") for n in range(MAX_FILES + 1)]
    response = client_for(alice).post(URL, {"files": files, "zone": "UTC"})
    assert response.status_code == 400
    assert f"At most {MAX_FILES} files at once." in text(response)
    assert not staging_root().exists() or not any(staging_root().iterdir())


def test_a_zip_bomb_upload_is_refused_with_its_name_and_nothing_is_kept(
    incident: Incident, alice: User
) -> None:
    bomb = slack_zip(b"\0" * (64 * 1024**2))
    assert len(bomb) < 200_000
    upload = SimpleUploadedFile("slack-export.zip", bomb)
    response = client_for(alice).post(URL, {"files": [upload], "zone": "UTC"})
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was imported: slack-export.zip: incident/2026-03-01.json inflates" in page
    assert "refused as a likely zip bomb" in page
    assert not any(staging_root().iterdir())
    assert not TimelineEvent.objects.exists()


def test_staged_uploads_are_readable_by_this_user_only(incident: Incident, alice: User) -> None:
    upload = SimpleUploadedFile("slack-export.zip", slack_zip(json.dumps(DAY).encode()))
    response = client_for(alice).post(URL, {"files": [upload], "zone": "UTC"})
    assert response.status_code == 200, text(response)
    (folder,) = staging_root().iterdir()
    assert stat.S_IMODE(staging_root().stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["01-slack-export.zip", "staged.json"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
