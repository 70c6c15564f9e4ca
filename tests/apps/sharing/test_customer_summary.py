"""The customer-facing summary: written by editors, read and downloaded by readers."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.sharing.models import CustomerSummary
from tests.apps.conftest import client_for

TEXT = "## What happened\n\nPayments failed for some customers for 50 minutes.\n"


def _edit(key: str = "PM-1") -> str:
    return reverse("sharing:edit_customer_summary", args=[key])


def test_the_owner_writes_it_and_readers_see_and_download_it(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    client = client_for(alice)
    form = client.get(_edit()).content.decode()
    assert "## What we are changing" in form, "an empty summary starts from headings only"
    assert "connection pool" not in form, "no internal section is copied in"

    response = client.post(_edit(), {"text": TEXT})
    assert response.status_code == 302
    summary = CustomerSummary.objects.get(postmortem=postmortem)
    assert summary.text == TEXT and summary.updated_by == alice

    page = client_for(charlie).get(reverse("sharing:customer_summary", args=["PM-1"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Payments failed for some customers" in body and ">Edit<" not in body
    assert "configuration change lowered" not in body, "internal sections stay internal"

    download = client_for(charlie).get(reverse("sharing:customer_summary_markdown", args=["PM-1"]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/markdown")
    assert 'filename="PM-1-customer-summary.md"' in download["Content-Disposition"]
    text = download.content.decode()
    assert text.startswith(f"# {postmortem.title}\n") and TEXT in text
    assert "pool size" not in text and "Alice" not in text


def test_only_editors_change_it(postmortem: Postmortem, bob: User, charlie: User) -> None:
    # bob reviews PM-1 but is not an owner or collaborator; charlie only reads it.
    for reader in (bob, charlie):
        assert client_for(reader).get(_edit()).status_code == 403
        assert client_for(reader).post(_edit(), {"text": TEXT}).status_code == 403
    assert not CustomerSummary.objects.exists()
    postmortem.collaborators.add(bob)
    assert client_for(bob).post(_edit(), {"text": TEXT}).status_code == 302


def test_restricted_postmortems_leave_no_hint(
    restricted: Postmortem, alice: User, charlie: User
) -> None:
    assert client_for(alice).post(_edit("PM-R"), {"text": TEXT}).status_code == 302
    for url in (
        _edit("PM-R"),
        reverse("sharing:customer_summary", args=["PM-R"]),
        reverse("sharing:customer_summary_markdown", args=["PM-R"]),
    ):
        assert client_for(charlie).get(url).status_code == 404
    assert Client().get(reverse("sharing:customer_summary", args=["PM-R"])).status_code == 302


def test_an_empty_summary_is_refused_naming_the_field(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(_edit(), {"text": "   "})
    assert response.status_code == 400
    assert "text: write the customer summary" in response.content.decode()
    assert not CustomerSummary.objects.exists()


def test_without_a_summary_the_page_says_so(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    response = client_for(alice).get(reverse("sharing:customer_summary", args=["PM-1"]))
    assert response.status_code == 404 and "Write one" in response.content.decode()
    assert (
        client_for(charlie)
        .get(reverse("sharing:customer_summary_markdown", args=["PM-1"]))
        .status_code
        == 404
    )
