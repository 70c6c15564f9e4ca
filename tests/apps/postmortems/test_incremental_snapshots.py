"""A section save or a quick capture builds its revision's snapshot from the previous one,
and that snapshot is the text a full read of the postmortem gives."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.services import set_status
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems import revisions
from secondstory.postmortems.models import Postmortem, Revision
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.writing_services import restore_revision, save_section
from secondstory.trackers.services import create_issue
from tests.apps.conftest import client_for
from tests.apps.trackers.conftest import connect
from tests.apps.trackers.fake_trackers import serve

FULL = revisions.revision_snapshot


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the postmortems whose snapshot was built in full, in order."""
    seen: list[str] = []

    def counted(postmortem: Postmortem) -> str:
        seen.append(postmortem.key)
        return FULL(postmortem)

    monkeypatch.setattr(revisions, "revision_snapshot", counted)
    return seen


def save(postmortem: Postmortem, field: str, text: str, author: User) -> Revision:
    postmortem.refresh_from_db()
    base = fingerprint(getattr(postmortem, field))
    save_section(postmortem, field, text, base=base, author=author)
    return postmortem.revisions.order_by("-number")[0]


def newest(postmortem: Postmortem) -> Revision:
    return postmortem.revisions.order_by("-number")[0]


def test_section_saves_build_on_the_last_snapshot_and_match_a_full_one(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    record_revision(postmortem, author=alice, summary="Imported")
    assert full_reads == ["PM-1"]
    steps: list[tuple[str, Callable[[str], str]]] = [
        ("summary", lambda old: old + "\n\nOne more line."),
        ("impact", lambda old: "Customers saw errors at checkout."),  # a new section
        ("trigger", lambda old: ""),  # emptied: it leaves the snapshot
        ("went_well", lambda old: "- keep limits\n\n```\n## in a fence\n```"),
        ("summary", lambda old: "Rewritten **summary**, ünïcode and all."),
    ]
    for field, change in steps:
        postmortem.refresh_from_db()
        revision = save(postmortem, field, change(getattr(postmortem, field)), alice)
        assert revision.summary.startswith("Edited ")
        assert revision.snapshot == FULL(postmortem)
    assert full_reads == ["PM-1"]  # only the first revision read every table
    assert postmortem.revisions.count() == 1 + len(steps)
    assert "Customers saw errors at checkout." in newest(postmortem).snapshot
    assert "## Trigger" not in newest(postmortem).snapshot


def test_sections_in_the_front_matter_build_on_the_last_snapshot_too(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    record_revision(postmortem, author=alice, summary="Imported")
    # A browser's textarea ends the text with a line end, which the Markdown body does not
    # keep: such a section goes in the front matter.
    steps = [
        ("summary", "Checkout failed.\n"),
        ("impact", "    an indented first line\nand more"),
        ("summary", "A plain summary again."),
        ("impact", "Blank lines kept\n\n\n"),
        ("impact", ""),
    ]
    for field, text in steps:
        revision = save(postmortem, field, text, alice)
        assert revision.snapshot == FULL(postmortem)
    assert "sections:" in postmortem.revisions.get(number=2).snapshot
    assert "sections:" not in newest(postmortem).snapshot
    assert full_reads == ["PM-1"]


def test_the_first_revision_is_built_in_full(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    revision = save(postmortem, "summary", "The first words.", alice)
    assert revision.number == 1
    assert revision.snapshot == FULL(postmortem)
    assert full_reads == ["PM-1"]


def test_quick_capture_keeps_the_last_snapshot_and_counts_the_added_events(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    record_revision(postmortem, author=alice, summary="Imported")
    data = {
        "incident": "INC-PM-1",
        "text": "14:02 paged the on-call\n14:07 rolled back",
        "default_date": "2026-03-04",
        "default_zone": "UTC",
        "action": "add",
    }
    url = reverse("postmortems:timeline_capture", args=["PM-1"])
    response = client_for(alice).post(url, data)
    assert response.status_code == 302
    revision = newest(postmortem)
    assert revision.summary == "Added 2 timeline events"
    assert revision.snapshot == FULL(postmortem)
    assert "paged the on-call" not in revision.snapshot  # no factor names it
    [entry] = revision.timeline_changes
    assert (entry["op"], entry["count"]) == ("added", 2)
    assert full_reads == ["PM-1"]


def test_restoring_around_built_snapshots_gives_the_same_postmortem(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    first = record_revision(postmortem, author=alice, summary="Imported")
    assert first is not None
    save(postmortem, "summary", "A summary nobody liked.", alice)
    edited = save(postmortem, "impact", "Some impact.", alice)
    restored = restore_revision(postmortem, first, author=alice)
    assert restored is not None and restored.snapshot == first.snapshot
    again = restore_revision(postmortem, edited, author=alice)
    assert again is not None and again.snapshot == edited.snapshot
    postmortem.refresh_from_db()
    assert (postmortem.summary, postmortem.impact) == ("A summary nobody liked.", "Some impact.")


def test_an_action_item_changed_without_a_revision_is_read_in_full(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    """A tracker's sync sets an item's status and records no revision; the next section
    save's revision holds the new status, as a full read gives it."""
    record_revision(postmortem, author=alice, summary="Imported")
    item = postmortem.action_items.order_by("position")[0]
    assert item.status != "done"
    set_status(item, "done")
    revision = save(postmortem, "impact", "Some impact.", alice)
    assert revision.snapshot == FULL(postmortem)
    assert "status: done" in revision.snapshot
    assert full_reads == ["PM-1", "PM-1"]
    later = save(postmortem, "impact", "More impact.", alice)
    assert later.snapshot == FULL(postmortem)
    assert full_reads == ["PM-1", "PM-1"]  # from the last snapshot again


def test_an_issue_filed_for_an_item_is_in_the_next_revision(
    postmortem: Postmortem, alice: User, full_reads: list[str]
) -> None:
    """Filing an issue writes the item's tracker link and records no revision."""
    record_revision(postmortem, author=alice, summary="Imported")
    item = postmortem.action_items.get()
    with serve("github") as fake:
        create_issue(item, connect(fake))
    revision = save(postmortem, "impact", "Some impact.", alice)
    assert "https://github.com/acme/checkout/issues/1" in revision.snapshot
    assert revision.snapshot == FULL(postmortem)
    assert full_reads == ["PM-1", "PM-1"]
