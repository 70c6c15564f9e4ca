"""A section edit and a quick capture rewrite only the search document's fields they touch,
with the same text a full rewrite gives."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.lib.concurrency import fingerprint
from secondstory.library import index
from secondstory.library.index_fields import reindex_sections, reindex_timeline
from secondstory.library.models import SearchDocument
from secondstory.library.search import search
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.writing_services import save_section
from tests.apps.conftest import client_for

FIELDS = ("title", "summary", "factors", "actions", "labels", "narrative", "timeline", "keys")


def stored(postmortem: Postmortem) -> dict[str, str]:
    document = SearchDocument.objects.get(postmortem=postmortem)
    return {field: getattr(document, field) for field in FIELDS}


def rebuilt(postmortem: Postmortem) -> dict[str, str]:
    (document,) = index.documents_for([postmortem.pk])
    return {field: getattr(document, field) for field in FIELDS}


def test_a_section_edit_writes_the_text_a_full_rewrite_gives(
    postmortem: Postmortem, alice: User
) -> None:
    for field, text in [("summary", "Quokka summary."), ("trigger", "A wombat deploy.")]:
        current = getattr(Postmortem.objects.get(pk=postmortem.pk), field)
        save_section(postmortem, field, text, base=fingerprint(current), author=alice)
        assert stored(postmortem) == rebuilt(postmortem)
    assert "Quokka" in stored(postmortem)["summary"]
    assert "wombat" in stored(postmortem)["narrative"]
    assert [hit.postmortem.key for hit in search("wombat", user=alice).hits] == [postmortem.key]


def test_a_quick_capture_writes_the_timeline_a_full_rewrite_gives(
    postmortem: Postmortem, alice: User
) -> None:
    data = {
        "incident": "INC-PM-1",
        "text": "14:02 the capybara alarm fired",
        "default_date": "2026-03-04",
        "default_zone": "UTC",
        "action": "add",
    }
    url = reverse("postmortems:timeline_capture", args=[postmortem.key])
    assert client_for(alice).post(url, data).status_code == 302
    assert "capybara alarm" in stored(postmortem)["timeline"]
    assert stored(postmortem) == rebuilt(postmortem)
    assert [hit.postmortem.key for hit in search("capybara", user=alice).hits] == [postmortem.key]


def test_a_postmortem_without_a_document_gets_a_whole_one(postmortem: Postmortem) -> None:
    SearchDocument.objects.filter(postmortem=postmortem).delete()
    reindex_sections(Postmortem.objects.get(pk=postmortem.pk))
    assert stored(postmortem) == rebuilt(postmortem)
    SearchDocument.objects.filter(postmortem=postmortem).delete()
    reindex_timeline(postmortem)
    assert stored(postmortem) == rebuilt(postmortem)
