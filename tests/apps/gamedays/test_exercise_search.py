"""Game day exercises as a search filter (``exercise:yes`` / ``exercise:no``) and facet, on
the page, the API and ``secondstory search``; the exercise key of the search documents
(docs/search.md, docs/game-days.md)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection

from secondstory.accounts.models import User
from secondstory.cli.search import search_command
from secondstory.core.search.query import QueryError
from secondstory.gamedays.models import GameDay
from secondstory.incidents.models import Incident
from secondstory.library.index import documents_for, index_postmortem
from secondstory.library.models import SearchDocument, SearchKeys
from secondstory.library.search import search
from secondstory.library.vectors import differing_sql
from secondstory.operations.integrity import OK, search_index
from secondstory.postmortems.exchange import export_postmortem, load_text
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record, postmortems_for_export
from tests.apps.api.conftest import call as call  # the API tests' fixture, here too
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

pytestmark = pytest.mark.django_db

_migration = importlib.import_module("secondstory.library.migrations.0009_exercise_keys")


def _keys(postmortem: Postmortem) -> str:
    return SearchDocument.objects.get(postmortem=postmortem).keys


def _up_to_date() -> None:
    """Every document says what indexing it now writes (as `secondstory check` compares)."""
    (status, line), *_ = search_index()
    assert status == OK and "up to date for every postmortem" in line, line
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(differing_sql())  # the vectors and facet keys the trigger keeps
            assert cursor.fetchone()[0] == 0


@pytest.fixture
def library(postmortem: Postmortem, restricted: Postmortem, game_day: GameDay) -> dict[str, str]:
    """An incident (PM-1), a restricted incident (PM-R), a game day's review and a
    restricted exercise (PM-RX, read by alice, bob and the payments team only)."""
    closed = load_record(postmortem_record("PM-RX", visibility="restricted"))
    Postmortem.objects.filter(pk=closed.pk).update(is_exercise=True)
    Incident.objects.filter(postmortems=closed).update(is_exercise=True)
    index_postmortem(closed)
    return {"PM-1": "no", "PM-R": "no", game_day.postmortem.key: "yes", "PM-RX": "yes"}


@pytest.fixture
def viewer(db: None) -> User:
    return User.objects.create(username="vera", display_name="Vera Viewer", role="viewer")


def _found(text: str, user: User | None) -> set[str]:
    return {hit.postmortem.key for hit in search(text, user=user, per_page=100).hits}


def test_planning_a_game_day_marks_its_review_in_the_index_at_once(game_day: GameDay) -> None:
    review = game_day.postmortem
    assert _keys(review).split()[-1] == "xe1"
    assert _found("exercise:yes", None) == {review.key}
    assert review.key not in _found("exercise:no", None)
    _up_to_date()


def test_an_ordinary_postmortem_is_not_an_exercise(postmortem: Postmortem) -> None:
    assert _keys(postmortem).split()[-1] == "xe0"
    assert _found("exercise:no", None) == _found("-exercise:yes", None) == {"PM-1"}
    assert _found("exercise:yes", None) == set()


def test_loading_a_game_day_marks_its_review_in_the_index_at_once(game_day: GameDay) -> None:
    review = game_day.postmortem
    text = export_postmortem(postmortems_for_export().get(pk=review.pk))
    Postmortem.objects.filter(pk=review.pk).update(is_exercise=False)
    Incident.objects.filter(postmortems=review).update(is_exercise=False)
    index_postmortem(review)
    assert _found("exercise:yes", None) == set()
    load_text(text, source="review.md")
    assert _found("exercise:yes", None) == {review.key}
    _up_to_date()


@pytest.mark.parametrize("reader", ["operator", "alice", "bob", "charlie", "viewer"])
def test_the_filter_and_its_facet_for_each_reader(
    library: dict[str, str], reader: str, viewer: User
) -> None:
    name = {"operator": "", "viewer": "vera"}.get(reader, reader)
    user = User.objects.get(username=name) if name else None
    # Alice owns PM-R and PM-RX; bob is in their incidents' team; charlie and vera are not.
    hidden = {"PM-R", "PM-RX"} if reader in ("charlie", "viewer") else set()
    visible = {key: flag for key, flag in library.items() if key not in hidden}
    exercises = {key for key, flag in visible.items() if flag == "yes"}
    others = set(visible) - exercises
    assert _found("exercise:yes", user) == _found("pool exercise:yes", user) == exercises
    assert _found("exercise:no", user) == _found("-exercise:yes", user) == others
    assert _found("pool -exercise:no", user) == exercises
    for text in ("pool", "exercise:yes", "-exercise:no", "service:checkout"):
        results = search(text, user=user, per_page=100)
        found = {hit.postmortem.key for hit in results.hits}
        counted = {value.value: value.count for value in results.facets["exercise"]}
        expected = {flag: sum(1 for key in found if library[key] == flag) for flag in ("yes", "no")}
        assert counted == {flag: n for flag, n in expected.items() if n}, (text, reader)
        assert sum(counted.values()) == results.total == len(found)


def test_a_facet_value_adds_the_filter(library: dict[str, str]) -> None:
    facet = {value.value: value for value in search("pool", user=None).facets["exercise"]}
    assert (facet["yes"].label, facet["yes"].query, facet["yes"].count) == (
        "Exercise",
        "pool exercise:yes",
        2,
    )
    assert (facet["no"].label, facet["no"].query) == ("Not an exercise", "pool exercise:no")


@pytest.mark.parametrize("value", ["maybe", "1"])
def test_a_bad_value_names_the_field(value: str) -> None:
    with pytest.raises(QueryError, match=rf"exercise: '{value}' is not yes or no"):
        search(f"pool exercise:{value}", user=None)


def test_values_are_case_insensitive(library: dict[str, str]) -> None:
    assert _found("exercise:YES", None) == _found("exercise:yes", None)


def test_the_search_page_counts_exercises(library: dict[str, str], charlie: User) -> None:
    fragment = client_for(charlie).get("/library/search/facets/", {"q": "pool"}).content.decode()
    section = fragment.split("<h2>Game day exercise</h2>")[1].split("</section>")[0]
    assert "?q=pool%20exercise%3Ayes" in section
    assert 'Exercise</a> <span class="count">1</span>' in section
    assert 'Not an exercise</a> <span class="count">1</span>' in section  # PM-R is hidden
    page = client_for(charlie).get("/library/search/", {"q": "pool exercise:yes"})
    assert "1 postmortem" in page.content.decode()


def test_the_api_filters_on_exercises(
    library: dict[str, str], charlie: User, call: Callable[..., Any]
) -> None:
    api = call(charlie, ("library:read",))
    items = api.get("/api/search", q="pool exercise:yes").json()["items"]
    assert [(i["key"], i["exercise"]) for i in items] == [("PM-0002", True)]
    items = api.get("/api/search", q="pool -exercise:yes").json()["items"]
    assert [(i["key"], i["exercise"]) for i in items] == [("PM-1", False)]
    response = api.get("/api/search", q="pool exercise:maybe")
    assert response.status_code == 400
    assert "q: exercise: 'maybe' is not yes or no" in json.dumps(response.json())


def test_the_command_counts_and_filters_exercises(library: dict[str, str]) -> None:
    result = CliRunner().invoke(search_command, ["--json", "--as", "charlie", "pool"])
    facets = json.loads(result.output)["facets"]["exercise"]
    assert {f["value"]: (f["label"], f["count"]) for f in facets} == {
        "yes": ("Exercise", 1),
        "no": ("Not an exercise", 1),
    }
    result = CliRunner().invoke(search_command, ["exercise:yes"])
    assert "PM-0002" in result.output and "PM-RX" in result.output and "PM-1 " not in result.output


def test_the_migration_brings_existing_documents_up_to_date(library: dict[str, str]) -> None:
    """Documents written before the key existed get it, with their facet keys (and on
    PostgreSQL the rows the index finds): `secondstory check` then finds nothing to reindex."""
    old = {d.pk: d.keys.rsplit(" ", 1)[0] for d in SearchDocument.objects.all()}
    for pk, text in old.items():
        SearchDocument.objects.filter(pk=pk).update(keys=text)
        facets = SearchKeys.objects.get(document_id=pk).facets
        kept = facets.rsplit(" ", 1)[0] if " " in facets else ""
        SearchKeys.objects.filter(document_id=pk).update(facets=kept)
    assert _found("exercise:yes", None) == set()
    statements = {"postgresql": _migration.POSTGRES_FORWARD, "sqlite": _migration.SQLITE_FORWARD}
    with connection.cursor() as cursor:
        for sql in statements[connection.vendor]:
            cursor.execute(sql, ())  # as the migration runs it
    _up_to_date()
    assert _found("exercise:yes", None) == {key for key, f in library.items() if f == "yes"}
    stored = dict(SearchDocument.objects.values_list("postmortem_id", "keys"))
    pks = list(stored)
    assert {d.postmortem_id: d.keys for d in documents_for(pks)} == stored
