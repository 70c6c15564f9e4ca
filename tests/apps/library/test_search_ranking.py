"""Ranking every match: the best one first however many weaker ones are newer, and pages
that together hold every match exactly once, ties included (on both databases)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from secondstory.accounts.models import Team, User
from secondstory.library.search import search
from secondstory.postmortems.bulk import bulk_insert
from tests.apps.factories import postmortem_record


def _record(key: str, *, summary: str, background: str = "", title: str = "") -> object:
    base = postmortem_record(key)
    return replace(
        base,
        title=title or base.title,
        sections={"summary": summary, "background": background},
    )


@pytest.fixture
def zeppelins(alice: User, bob: User, payments: Team) -> list[str]:
    """One title match (recorded first), then 40 weak narrative matches, then one strong one.

    Only the title match has the word in its title, summary, factors, action items or
    labels: every other match ties there and is ordered by its narrative.
    """
    title = _record("PM-TITLE", summary="Routine.", title="Zeppelin mooring mast collapsed")
    weak = [
        _record(f"PM-W{n:03d}", summary=f"Routine note {n}.", background="One zeppelin flew by.")
        for n in range(40)
    ]
    strong = _record(
        "PM-NARR",
        summary="Routine note.",
        background="The zeppelin drifted; a second zeppelin followed; zeppelin after zeppelin.",
    )
    assert bulk_insert([title]) == (1, 0)
    assert bulk_insert(weak) == (40, 0)
    assert bulk_insert([strong]) == (1, 0)
    return ["PM-TITLE", *(f"PM-W{n:03d}" for n in range(40)), "PM-NARR"]


def _all_pages(text: str, per_page: int, user: User | None = None) -> list[str]:
    first = search(text, user=user, per_page=per_page, with_facets=False)
    found = [hit.postmortem.key for hit in first.hits]
    for page in range(2, first.pages + 1):
        results = search(text, user=user, per_page=per_page, page=page, with_facets=False)
        found += [hit.postmortem.key for hit in results.hits]
    return found


def test_a_title_match_then_the_strongest_narrative_match_lead(zeppelins: list[str]) -> None:
    results = search("zeppelin", user=None, per_page=5)
    assert results.total == 42
    assert [hit.postmortem.key for hit in results.hits[:2]] == ["PM-TITLE", "PM-NARR"]
    assert results.hits[0].rank > results.hits[2].rank


@pytest.mark.parametrize("per_page", [1, 5, 7, 50])
def test_pages_hold_every_match_once_across_ties(zeppelins: list[str], per_page: int) -> None:
    found = _all_pages("zeppelin", per_page)
    assert len(found) == len(set(found)) == 42
    assert set(found) == set(zeppelins)
    assert found[:2] == ["PM-TITLE", "PM-NARR"]


def test_a_phrase_ranks_every_match_too(zeppelins: list[str]) -> None:
    found = _all_pages('"zeppelin flew"', 6)
    assert sorted(found) == [f"PM-W{n:03d}" for n in range(40)]


def test_a_page_past_the_end_shows_the_last_page(zeppelins: list[str]) -> None:
    results = search("zeppelin", user=None, per_page=10, page=99)
    assert results.page == results.pages == 5
    assert [hit.postmortem.key for hit in results.hits] == _all_pages("zeppelin", 10)[40:]


def test_members_see_the_same_order_without_the_restricted(
    zeppelins: list[str], alice: User, bob: User, payments: Team
) -> None:
    hidden = replace(
        postmortem_record("PM-HIDDEN", owner="bob", visibility="restricted"),
        title="Zeppelin zeppelin zeppelin",
        reviewers=[],
    )
    assert bulk_insert([hidden]) == (1, 0)
    outsider = User.objects.create_user("outsider")
    assert _all_pages("zeppelin", 7, outsider) == _all_pages("zeppelin", 7)[1:]
    assert _all_pages("zeppelin", 7)[0] == "PM-HIDDEN"
