"""The writing workspace: start a postmortem, edit one section in place, conflicts, download."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core.exchange import parse_postmortem
from secondstory.incidents.models import Incident
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem, PostmortemTemplate
from secondstory.postmortems.writing_services import next_postmortem_key
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_url(field: str = "summary", key: str = "PM-1") -> str:
    return reverse("postmortems:section_edit", args=[key, field])


def text(response: object) -> str:
    return " ".join(response.content.decode().split())  # type: ignore[attr-defined]


def collaborate(postmortem: Postmortem, user: User) -> None:
    postmortem.collaborators.add(user)


# --- Start a postmortem --------------------------------------------------------------------


def start_url(incident: str = "") -> str:
    url = reverse("postmortems:start")
    return f"{url}?incident={incident}" if incident else url


def test_start_offers_every_template_with_its_sections(postmortem: Postmortem, bob: User) -> None:
    response = client_for(bob).get(start_url("INC-PM-1"))
    assert response.status_code == 200
    html = text(response)
    assert "Start a postmortem: Checkout returned errors" in html
    for template in PostmortemTemplate.objects.all():
        assert template.name in html
        assert template.description in html
    assert "What surprised us?" in html  # a question of the debrief template
    assert 'href="/postmortems/PM-1/"' in html  # the postmortem it already has


def test_start_without_an_incident_offers_the_visible_ones(
    postmortem: Postmortem, restricted: Postmortem, charlie: User
) -> None:
    html = text(client_for(charlie).get(start_url()))
    assert 'value="INC-PM-1"' in html
    assert "INC-PM-R" not in html


def test_start_creates_a_draft_from_the_chosen_template(postmortem: Postmortem, bob: User) -> None:
    # The fixture holds PM-1, so the next number is 2.
    template = PostmortemTemplate.objects.get(slug="etsy-debrief")
    response = client_for(bob).post(start_url(), {"incident": "INC-PM-1", "template": template.pk})
    created = Postmortem.objects.get(key="PM-0002")
    assert response.status_code == 302
    assert response["Location"] == reverse("postmortems:detail", args=["PM-0002"])
    assert created.status == "draft"
    assert created.owner == bob
    assert created.template == template
    assert created.title == "Checkout returned errors after a configuration change"
    assert list(created.incidents.values_list("key", flat=True)) == ["INC-PM-1"]
    revision = created.revisions.get()
    assert revision.summary == "Started from the Etsy debrief style template"


def test_the_new_page_shows_the_template_sections_with_their_questions(
    postmortem: Postmortem, bob: User
) -> None:
    template = PostmortemTemplate.objects.get(slug="short-form")
    client_for(bob).post(start_url(), {"incident": "INC-PM-1", "template": template.pk})
    html = text(client_for(bob).get(reverse("postmortems:detail", args=["PM-0002"])))
    positions = [
        html.index(f'<h2 id="section-{field}-heading">')
        for field in ("summary", "trigger", "response", "went_poorly")
    ]
    assert positions == sorted(positions)
    assert "What set it off?" in html
    assert 'href="/postmortems/PM-0002/sections/trigger/edit/"' in html
    assert '<h2 id="section-impact-heading">' not in html
    assert "Write another section:" in html


def test_readers_see_only_written_sections_with_their_questions(
    postmortem: Postmortem, charlie: User
) -> None:
    template = PostmortemTemplate.objects.get(slug="short-form")
    Postmortem.objects.filter(pk=postmortem.pk).update(template=template)
    html = text(client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])))
    assert '<p class="section-question">What happened and what was the impact?</p>' in html
    assert '<h2 id="section-trigger-heading">' in html
    assert '<h2 id="section-response-heading">' not in html  # in the template, but empty
    assert "Write another section:" not in html
    assert "/edit/" not in html


def test_start_needs_a_template(postmortem: Postmortem, bob: User) -> None:
    response = client_for(bob).post(start_url(), {"incident": "INC-PM-1"})
    assert response.status_code == 400
    assert "Template: Choose a template." in text(response)
    assert not Postmortem.objects.filter(key="PM-0002").exists()


def test_start_checks_that_the_incident_is_visible(restricted: Postmortem, charlie: User) -> None:
    template = PostmortemTemplate.objects.first()
    assert client_for(charlie).get(start_url("INC-PM-R")).status_code == 404
    response = client_for(charlie).post(
        start_url(), {"incident": "INC-PM-R", "template": template.pk}
    )
    assert response.status_code == 404
    assert Postmortem.objects.count() == 1


def test_the_next_key_follows_the_highest_number_and_skips_gaps(
    postmortem: Postmortem, alice: User
) -> None:
    incident = Incident.objects.get()
    for key in ("PM-0002", "PM-0007", "PM-12x"):
        Postmortem.objects.create(key=key, title="t", owner=alice, created_at=incident.created_at)
    assert next_postmortem_key() == "PM-0008"


# --- Edit one section ----------------------------------------------------------------------


def test_the_owner_sees_edit_buttons_and_a_reader_does_not(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    assert f'href="{edit_url()}"' in text(client_for(alice).get("/postmortems/PM-1/"))
    assert f'href="{edit_url()}"' not in text(client_for(charlie).get("/postmortems/PM-1/"))


def test_edit_without_javascript_is_a_full_page(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get(edit_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Edit Summary</h1>" in html
    assert "Checkout failed for **12%** of requests for 50 minutes.</textarea>" in html
    assert f'name="base" value="{fingerprint(postmortem.summary)}"' in html
    assert "<html" in html


def test_edit_with_htmx_swaps_in_only_the_form(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get(edit_url(), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="section-summary"')
    assert "<html" not in html
    assert f'hx-post="{edit_url()}"' in html
    assert 'data-cancel="section-summary-cancel"' in html


@time_machine.travel("2026-03-06 10:15:00+00:00", tick=False)
def test_save_writes_that_section_only_and_records_a_revision(
    postmortem: Postmortem, alice: User
) -> None:
    base = fingerprint(postmortem.summary)
    # Meanwhile somebody saves another section: it must survive this save.
    Postmortem.objects.filter(pk=postmortem.pk).update(trigger="Edited elsewhere.")
    response = client_for(alice).post(
        edit_url(), {"text": "New summary.\r\nSecond line.", "base": base}, **HTMX
    )
    html = text(response)
    assert response.status_code == 200
    assert "<p>New summary. Second line.</p>" in html
    assert 'Saved at <time datetime="2026-03-06T10:15:00+00:00">10:15</time>' in html
    postmortem.refresh_from_db()
    assert postmortem.summary == "New summary.\nSecond line."
    assert postmortem.trigger == "Edited elsewhere."
    revision = postmortem.revisions.get()
    assert (revision.summary, revision.author) == ("Edited Summary", alice)
    assert parse_postmortem(revision.snapshot).sections["summary"] == postmortem.summary


@time_machine.travel("2026-03-06 10:15:00+00:00", tick=False)
def test_saved_at_is_in_the_viewers_time_zone(postmortem: Postmortem, alice: User) -> None:
    alice.time_zone = "Europe/Paris"
    alice.save(update_fields=["time_zone"])
    response = client_for(alice).post(
        edit_url(), {"text": "New.", "base": fingerprint(postmortem.summary)}, **HTMX
    )
    assert 'Saved at <time datetime="2026-03-06T11:15:00+01:00">11:15</time>' in text(response)


def test_save_without_javascript_redirects_to_the_section(
    postmortem: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    response = client.post(
        edit_url("background"), {"text": "The pool is shared.", "base": fingerprint("")}
    )
    assert response.status_code == 302
    assert response["Location"] == "/postmortems/PM-1/#section-background"
    page = text(client.get(response["Location"]))
    assert "Saved Background at" in page
    assert "<p>The pool is shared.</p>" in page


def test_two_saves_from_one_base_conflict_and_lose_nothing(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    collaborate(postmortem, bob)
    base = fingerprint(postmortem.summary)
    first = client_for(alice).post(edit_url(), {"text": "Alice's summary.", "base": base})
    assert first.status_code == 302
    second = client_for(bob).post(edit_url(), {"text": "Bob's summary.", "base": base})
    html = second.content.decode()
    assert second.status_code == 409
    assert "was changed by someone else since you opened it" in html
    assert "Bob&#x27;s summary.</textarea>" in html  # yours, editable
    assert "Alice&#x27;s summary." in html  # current
    assert f'name="base" value="{fingerprint("Alice" + chr(39) + "s summary.")}"' in html
    postmortem.refresh_from_db()
    assert postmortem.summary == "Alice's summary."
    assert postmortem.revisions.count() == 1
    # The merge saves with the new base.
    merged = client_for(bob).post(
        edit_url(), {"text": "Merged.", "base": fingerprint("Alice's summary.")}
    )
    assert merged.status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.summary == "Merged."


def test_a_conflict_with_htmx_stays_in_place(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(
        edit_url(), {"text": "Mine.", "base": fingerprint("an older text")}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="section-summary"')
    assert "Your text" in html and "Current text" in html
    assert "Mine.</textarea>" in html


def test_a_too_long_section_names_the_field(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(
        edit_url(), {"text": "x" * 100_001, "base": fingerprint(postmortem.summary)}
    )
    assert response.status_code == 400
    assert "Summary is 100,001 bytes long; at most 100,000 bytes fit (tables included)." in text(
        response
    )
    postmortem.refresh_from_db()
    assert postmortem.summary.startswith("Checkout failed")


def test_the_section_limit_counts_bytes_not_characters(postmortem: Postmortem, alice: User) -> None:
    table = "| é | ü |\n" * 6_000  # 60,000 characters, 72,000 bytes
    response = client_for(alice).post(
        edit_url(), {"text": table * 2, "base": fingerprint(postmortem.summary)}
    )
    assert response.status_code == 400
    assert "Summary is 144,000 bytes long; at most 100,000 bytes fit" in text(response)
    response = client_for(alice).post(
        edit_url(), {"text": "é" * 50_001, "base": fingerprint(postmortem.summary)}
    )
    assert response.status_code == 400
    assert "Summary is 100,002 bytes long" in text(response)


def test_a_save_without_base_is_refused(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(edit_url(), {"text": "Lost?"})
    assert response.status_code == 400
    assert "open the editor again" in text(response)
    assert "Lost?</textarea>" in response.content.decode()


def test_preview_renders_sanitised_markdown(postmortem: Postmortem, alice: User) -> None:
    url = reverse("postmortems:section_preview", args=["PM-1", "summary"])
    response = client_for(alice).post(url, {"text": "**bold** <script>alert(1)</script>"}, **HTMX)
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert postmortem.revisions.count() == 0


def test_preview_without_javascript_saves_nothing(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(
        edit_url(), {"text": "*draft*", "base": fingerprint(postmortem.summary), "preview": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>draft</em>" in html and "*draft*</textarea>" in html
    postmortem.refresh_from_db()
    assert postmortem.summary.startswith("Checkout failed")


def test_cancel_with_htmx_shows_the_section_again(postmortem: Postmortem, alice: User) -> None:
    url = reverse("postmortems:section", args=["PM-1", "summary"])
    html = client_for(alice).get(url, **HTMX).content.decode()
    assert "<strong>12%</strong>" in html
    assert client_for(alice).get(url).status_code == 302


def test_an_unknown_section_is_404(postmortem: Postmortem, alice: User) -> None:
    assert client_for(alice).get(edit_url("owner")).status_code == 404


def test_a_reader_who_is_not_an_editor_is_refused(postmortem: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    assert client.get(edit_url()).status_code == 403
    assert client.post(edit_url(), {"text": "x", "base": "y"}).status_code == 403
    preview = reverse("postmortems:section_preview", args=["PM-1", "summary"])
    assert client.post(preview, {"text": "x"}).status_code == 403
    postmortem.refresh_from_db()
    assert postmortem.summary.startswith("Checkout failed")


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    assert client.get(edit_url(key="PM-R")).status_code == 404
    assert client.post(edit_url(key="PM-R"), {"text": "x", "base": "y"}).status_code == 404
    assert client.get(reverse("postmortems:download", args=["PM-R"])).status_code == 404


# --- Download ------------------------------------------------------------------------------


def test_download_is_the_exchange_file(postmortem: Postmortem, charlie: User) -> None:
    response = client_for(charlie).get(reverse("postmortems:download", args=["PM-1"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="PM-1.md"'
    assert response["Content-Type"].startswith("text/markdown")
    record = parse_postmortem(response.content.decode())
    assert record.key == "PM-1"
    assert record.sections["trigger"].startswith("A configuration change")


@pytest.mark.parametrize("name", ["postmortems:download", "postmortems:history"])
def test_anonymous_is_sent_to_log_in(postmortem: Postmortem, name: str) -> None:
    response = Client().get(reverse(name, args=["PM-1"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
