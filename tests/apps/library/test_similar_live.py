"""The similar-incidents panel while a draft is written: its fragment view, and the saves that
tell the page to fetch it again."""

from __future__ import annotations

import json
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.event_views import event_fingerprint
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.changes import POSTMORTEM_CHANGED
from secondstory.postmortems.factor_views import _state
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from tests.apps.conftest import client_for
from tests.apps.library.test_similar import load, record

HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(key: str) -> str:
    return reverse("library:similar", args=[key])


def panel(user: User, key: str) -> HttpResponse:
    return client_for(user).get(panel_url(key), **HTMX)  # type: ignore[return-value]


def text(response: HttpResponse) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def announced(response: HttpResponse) -> bool:
    """Whether the response tells the page that the postmortem changed."""
    header = response.headers.get("HX-Trigger")
    return header is not None and POSTMORTEM_CHANGED in json.loads(header)


@pytest.fixture
def people(alice: User, bob: User, charlie: User, payments: Team) -> None:
    return None


# --- The fragment ------------------------------------------------------------------------------


@pytest.mark.usefixtures("people")
class TestFragment:
    def test_a_reader_gets_the_panel_alone(self, bob: User) -> None:
        load(record("PM-A", days=-1, title="Checkout broke after a config push"))
        load(record("PM-B"))
        response = panel(bob, "PM-B")
        assert response.status_code == 200
        html = text(response)
        assert html.strip().startswith('<section id="similar"')
        assert "<html" not in html and "<body" not in html
        assert '<a href="/postmortems/PM-A/">' in html
        assert "Checkout broke after a config push" in html
        assert "shares: tooling factor on Checkout; tag config" in html
        assert "read them before you finish" in html

    def test_it_keeps_listening_after_it_is_swapped_in(self, alice: User) -> None:
        load(record("PM-B"))
        html = text(panel(alice, "PM-B"))
        assert 'hx-get="/library/similar/PM-B/"' in html
        assert f'hx-trigger="{POSTMORTEM_CHANGED} from:body"' in html
        assert 'hx-swap="outerHTML"' in html

    def test_nothing_shared_says_so(self, alice: User) -> None:
        load(record("PM-B"))
        assert "No earlier postmortem shares" in text(panel(alice, "PM-B"))

    def test_restricted_postmortem_is_not_found_for_an_outsider(
        self, alice: User, charlie: User
    ) -> None:
        load(record("PM-R", visibility="restricted"))
        assert panel(charlie, "PM-R").status_code == 404
        assert panel(charlie, "PM-NONE").status_code == 404  # the same answer as for no such key
        assert panel(alice, "PM-R").status_code == 200  # on the incident's team
        # The same rule as the postmortem's own page.
        assert client_for(charlie).get("/postmortems/PM-R/").status_code == 404

    def test_an_outsider_does_not_see_restricted_ones_in_the_list(
        self, alice: User, charlie: User
    ) -> None:
        load(record("PM-R", days=-1, visibility="restricted", title="Secret rotation failed"))
        load(record("PM-B"))
        assert "Secret rotation failed" not in text(panel(charlie, "PM-B"))
        assert "Secret rotation failed" in text(panel(alice, "PM-B"))

    def test_signed_out_is_sent_to_log_in(self) -> None:
        load(record("PM-B"))
        response = Client().get(panel_url("PM-B"), **HTMX)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/library/similar/PM-B/")

    def test_without_htmx_it_is_the_panel_on_its_own_page(self, alice: User) -> None:
        load(record("PM-A", days=-1, title="Checkout broke after a config push"))
        load(record("PM-B"))
        response = client_for(alice).get(panel_url("PM-B"))
        assert response.status_code == 200
        html = text(response)
        assert "<html" in html
        assert '<a href="/postmortems/PM-B/">Back to PM-B' in html
        assert "Checkout broke after a config push" in html

    def test_only_get(self, alice: User) -> None:
        load(record("PM-B"))
        assert client_for(alice).post(panel_url("PM-B"), **HTMX).status_code == 405


@pytest.mark.usefixtures("people")
def test_the_page_panel_carries_the_htmx_attributes(alice: User) -> None:
    load(record("PM-B"))
    response = client_for(alice).get("/postmortems/PM-B/")
    html = text(response)
    section = re.search(r'<section id="similar"[^>]*>', html)
    assert section is not None
    tag = section.group(0)
    assert 'hx-get="/library/similar/PM-B/"' in tag
    # Fetched once the page has loaded, and again after each change.
    assert f'hx-trigger="load, {POSTMORTEM_CHANGED} from:body"' in tag
    assert 'hx-swap="outerHTML"' in tag
    assert 'hx-sync="this:replace"' in tag
    assert "style=" not in tag
    # Without JavaScript, a link opens the panel on a page of its own.
    assert '<a href="/library/similar/PM-B/">Show similar past incidents</a>' in html
    # htmx itself is on every page; the panel needs no script of its own.
    assert "/static/secondstory/htmx.min" in html
    assert "<script>" not in html.split('<section id="similar"', 1)[1]


@pytest.mark.usefixtures("people")
def test_the_page_does_not_compute_similar_incidents(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page shows a placeholder; only the fragment computes the list."""
    from secondstory.library.templatetags import similar_incidents as tag

    load(record("PM-A", days=-1))
    load(record("PM-B"))
    calls: list[str] = []
    real = tag.similar_postmortems

    def counted(postmortem: Postmortem, user: User) -> list:
        calls.append(postmortem.key)
        return real(postmortem, user)

    monkeypatch.setattr(tag, "similar_postmortems", counted)
    assert client_for(alice).get("/postmortems/PM-B/").status_code == 200
    assert calls == []
    assert panel(alice, "PM-B").status_code == 200
    assert calls == ["PM-B"]


# --- Saves that announce a change ----------------------------------------------------------------


def section_save(user: User, field: str, new: str, *, htmx: bool = True) -> HttpResponse:
    postmortem = Postmortem.objects.get(key="PM-1")
    url = reverse("postmortems:section_edit", args=["PM-1", field])
    data = {"text": new, "base": fingerprint(getattr(postmortem, field))}
    return client_for(user).post(url, data, **(HTMX if htmx else {}))  # type: ignore[return-value]


def test_saving_the_summary_announces_a_change(postmortem: Postmortem, alice: User) -> None:
    response = section_save(alice, "summary", "Checkout failed after a pool resize.")
    assert response.status_code == 200
    assert announced(response)


def test_sections_similarity_does_not_read_stay_quiet(postmortem: Postmortem, alice: User) -> None:
    response = section_save(alice, "went_well", "Rollback was quick.")
    assert response.status_code == 200
    assert "Rollback was quick." in text(response)
    assert not announced(response)


def test_full_page_saves_and_unsaved_edits_stay_quiet(postmortem: Postmortem, alice: User) -> None:
    assert (
        section_save(alice, "summary", "Saved without JavaScript.", htmx=False).status_code == 302
    )
    url = reverse("postmortems:section_edit", args=["PM-1", "summary"])
    postmortem.refresh_from_db()
    preview = {"text": "Only a preview", "base": fingerprint(postmortem.summary), "preview": "1"}
    assert not announced(client_for(alice).post(url, preview, **HTMX))
    stale = client_for(alice).post(url, {"text": "Stale", "base": "0" * 16}, **HTMX)
    assert "Nothing was saved." in text(stale)
    assert not announced(stale)


def category(code: str) -> FactorCategory:
    return FactorCategory.objects.get(code=code)


def test_adding_editing_and_removing_a_factor_announce_a_change(
    postmortem: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    add = reverse("postmortems:factor_add", args=["PM-1"])
    new = {"category": category("process").pk, "description": "Reviews skipped pool sizes."}
    added = client.post(add, new, **HTMX)
    assert added.status_code == 200 and announced(added)
    factor = ContributingFactor.objects.get(postmortem=postmortem, description=new["description"])

    edit = reverse("postmortems:factor_edit", args=["PM-1", factor.key])
    changed = {**new, "description": "Reviews never covered pool sizes."}
    changed["base"] = fingerprint(*_state(factor))
    edited = client.post(edit, changed, **HTMX)
    assert edited.status_code == 200 and announced(edited)

    factor.refresh_from_db()
    remove = reverse("postmortems:factor_remove", args=["PM-1", factor.key])
    removed = client.post(remove, {"base": fingerprint(*_state(factor))}, **HTMX)
    assert removed.status_code == 200 and announced(removed)
    assert not ContributingFactor.objects.filter(pk=factor.pk).exists()


def test_a_refused_factor_and_opening_a_form_stay_quiet(
    postmortem: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    add = reverse("postmortems:factor_add", args=["PM-1"])
    assert not announced(client.get(add, **HTMX))
    refused = client.post(add, {"category": "", "description": ""}, **HTMX)
    assert not announced(refused)
    assert ContributingFactor.objects.filter(postmortem=postmortem).count() == 2


def test_action_items_do_not_change_similarity_and_stay_quiet(
    postmortem: Postmortem, alice: User
) -> None:
    url = reverse("postmortems:action_add", args=["PM-1"])
    data = {
        "title": "Alert on pool saturation",
        "type": "detect",
        "priority": "high",
        "owner": alice.pk,
        "due": "2026-05-01",
    }
    response = client_for(alice).post(url, data, **HTMX)
    assert response.status_code == 200
    assert "Alert on pool saturation" in text(response)
    assert not announced(response)


def test_timeline_capture_and_delete_announce_a_change(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    url = reverse("postmortems:timeline_capture", args=["PM-1"])
    lines = {
        "incident": "INC-PM-1",
        "text": "14:02 paged the database on-call",
        "default_date": "2026-03-04",
        "default_zone": "Europe/Berlin",
    }
    preview = client.post(url, {**lines, "action": "preview"}, **HTMX)
    assert preview.status_code == 200 and not announced(preview)
    added = client.post(url, {**lines, "action": "add"}, **HTMX)
    assert added.status_code == 200 and announced(added)

    paged = TimelineEvent.objects.get(text__startswith="paged the database")
    delete = reverse("postmortems:timeline_event_delete", args=["PM-1", paged.pk])
    deleted = client.post(delete, {"base": event_fingerprint(paged)}, **HTMX)
    assert deleted.status_code == 200 and announced(deleted)
    assert not TimelineEvent.objects.filter(pk=paged.pk).exists()


def test_starring_an_event_changes_no_text_and_stays_quiet(
    postmortem: Postmortem, alice: User
) -> None:
    event = TimelineEvent.objects.filter(incident__postmortems=postmortem).first()
    assert event is not None
    url = reverse("postmortems:timeline_event_star", args=["PM-1", event.pk])
    response = client_for(alice).post(url, {"starred": "1"}, **HTMX)
    assert response.status_code == 200 and not announced(response)


# --- The two together: a save, then the fragment it leads to -----------------------------------


@pytest.mark.usefixtures("people")
def test_a_factor_added_to_a_draft_brings_an_earlier_incident_into_the_panel(
    alice: User,
) -> None:
    load(
        record(
            "PM-A",
            days=-1,
            category="process",
            service="search",
            tags=("dns",),
            title="Search went dark after a resolver change",
        )
    )
    (draft,) = load(record("PM-B"))
    assert draft.status == "draft"
    assert "No earlier postmortem shares" in text(panel(alice, "PM-B"))

    add = reverse("postmortems:factor_add", args=["PM-B"])
    factor = {"category": category("process").pk, "description": "Resolver changes skip review."}
    saved = client_for(alice).post(add, factor, **HTMX)
    assert announced(saved)

    html = text(panel(alice, "PM-B"))
    assert "Search went dark after a resolver change" in html
    assert "shares: process factor" in html
