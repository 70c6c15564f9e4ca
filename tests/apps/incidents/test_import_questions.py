"""An upload that needs a date, a zone or a format keeps its files and asks for it, in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.import_staging import staging_root
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

PLAIN = b"09:12 alice paged the payments on-call\n09:15 bob rolled back the deploy\n"


@pytest.fixture(autouse=True)
def own_staging(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path


@pytest.fixture
def incident(alice: User, payments: Team) -> Incident:
    incident = Incident.objects.create(
        key="INC-7", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    incident.teams.add(payments)
    return incident


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def answer_url(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(
        r'action="(/incidents/INC-7/import/[0-9a-f]{32}/answer/)"', response.content.decode()
    )
    assert match, "the page asks a question about the kept upload"
    return match.group(1)


def upload(client, name: str, content: bytes, **fields: str):  # type: ignore[no-untyped-def]
    data = {"files": [SimpleUploadedFile(name, content)], "zone": "Europe/Berlin", **fields}
    return client.post(reverse("incidents:import", args=["INC-7"]), data)


def test_plain_lines_without_a_date_ask_for_the_day_and_keep_the_file(
    incident: Incident, alice: User
) -> None:
    client = client_for(alice)
    asked = upload(client, "notes.txt", PLAIN, fmt="plain")
    assert asked.status_code == 200
    page = text(asked)
    assert "The plain lines in notes.txt carry no date. On which day were they written?" in page
    assert "--date" not in page and 'type="date"' in page
    assert "notes.txt" in page and "kept; nothing was written" in page
    assert len(list(staging_root().glob("*/01-notes.txt"))) == 1

    wrong = client.post(answer_url(asked), {"option": "date", "value": "last tuesday"})
    assert wrong.status_code == 400
    assert "Give the day as a date" in text(wrong)

    previewed = client.post(answer_url(asked), {"option": "date", "value": "2024-03-15"})
    assert previewed.status_code == 200
    confirm = re.search(
        r'action="(/incidents/INC-7/import/[0-9a-f]{32}/)"', previewed.content.decode()
    )
    assert confirm and "bob rolled back the deploy" in text(previewed)
    done = client.post(
        confirm.group(1),
        {"keep": re.findall(r'name="keep" value="([^"]+)"', previewed.content.decode())},
    )
    assert done.status_code == 302
    times = sorted(e.at.isoformat() for e in TimelineEvent.objects.filter(incident=incident))
    assert times == ["2024-03-15T08:12:00+00:00", "2024-03-15T08:15:00+00:00"]
    assert not any(staging_root().glob("*/01-notes.txt")), "a confirmed upload is forgotten"


def test_a_file_of_unknown_format_asks_which_tool_wrote_it(incident: Incident, alice: User) -> None:
    client = client_for(alice)
    asked = upload(client, "mystery.txt", b"\x00\x01 nothing any importer reads\n")
    assert asked.status_code == 200
    assert "mystery.txt cannot be told apart from other formats. Which tool wrote it?" in text(
        asked
    )
    wrong = client.post(answer_url(asked), {"option": "from", "value": "word-processor"})
    assert wrong.status_code == 400 and "Pick the tool that wrote the file." in text(wrong)

    refused = client.post(answer_url(asked), {"option": "from", "value": "alertmanager"})
    assert refused.status_code == 400
    assert "Nothing was imported: mystery.txt" in text(refused)
    assert not any(staging_root().glob("*")), "a refused upload is not kept"


def test_cancel_forgets_the_kept_upload(incident: Incident, alice: User) -> None:
    client = client_for(alice)
    asked = upload(client, "notes.txt", PLAIN, fmt="plain")
    done = client.post(answer_url(asked), {"cancel": "1"})
    assert done.status_code == 302
    assert not any(staging_root().glob("*/01-notes.txt"))
    assert (
        client.post(answer_url(asked), {"option": "date", "value": "2024-03-15"}).status_code == 404
    )


def test_someone_else_cannot_answer_for_an_upload(
    incident: Incident, alice: User, bob: User
) -> None:
    asked = upload(client_for(alice), "notes.txt", PLAIN, fmt="plain")
    response = client_for(bob).post(answer_url(asked), {"option": "date", "value": "2024-03-15"})
    assert response.status_code == 404


def test_an_import_started_from_a_postmortem_lands_back_on_it(
    postmortem: Postmortem, alice: User
) -> None:
    incident = postmortem.incidents.get()
    client = client_for(alice)
    url = reverse("incidents:import", args=[incident.key])
    form = client.get(f"{url}?postmortem={postmortem.key}").content.decode()
    assert f'name="back" value="{postmortem.key}"' in form
    assert f"Back to {postmortem.key}" in form
    data = {"files": [SimpleUploadedFile("notes.txt", PLAIN)], "zone": "UTC", "fmt": "plain",
            "day": "2026-03-04", "back": postmortem.key}  # fmt: skip
    previewed = client.post(url, data)
    confirm = re.search(r'action="(/incidents/[^"]+/import/[0-9a-f]{32}/)"',
                        previewed.content.decode())  # fmt: skip
    assert confirm
    keep = re.findall(r'name="keep" value="([^"]+)"', previewed.content.decode())
    done = client.post(confirm.group(1), {"keep": keep})
    assert done["Location"] == f"/postmortems/{postmortem.key}/#timeline"


def test_a_postmortem_that_does_not_cover_the_incident_is_ignored(
    postmortem: Postmortem, incident: Incident, alice: User
) -> None:
    client = client_for(alice)
    form = client.get(reverse("incidents:import", args=["INC-7"]) + f"?postmortem={postmortem.key}")
    assert f"Back to {postmortem.key}" not in form.content.decode()
    asked = upload(client, "notes.txt", PLAIN, fmt="plain", back=postmortem.key)
    done = client.post(answer_url(asked), {"cancel": "1"})
    assert done["Location"] == "/incidents/INC-7/"
