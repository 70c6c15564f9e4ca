"""Search against a plain reference computation, on random data (both databases).

A random library of postmortems made of a few invented words, services, teams,
severities, statuses, years and restricted incidents; for each query, reader and
page size, the results and facet counts must be exactly what a plain computation
over the same records says: every visible match once across the pages, the exact
total, the exact count per facet value, and nothing restricted counted for a
reader who may not read it. The order is also compared with ranking computed from
the documents' text directly, after every kind of write: on PostgreSQL ts_rank over
vectors made from the text (so the vectors and facet keys the trigger keeps must agree
with it), on SQLite FTS5's BM25 formula computed here from the text's tokens (so the
index must rank every match, for every kind of reader, exactly as documented).
"""

from __future__ import annotations

import math
import random
import re
import shlex
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from django.db import connection

from secondstory.accounts.models import Team, User
from secondstory.accounts.permissions import visible_postmortems
from secondstory.library.index import index_postmortem, rebuild
from secondstory.library.search import FACET_SIZE, search
from secondstory.library.vectors import differing_sql
from secondstory.postmortems.bulk import bulk_insert
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision
from tests.apps.factories import incident_record, postmortem_record

WORDS = ("zephyr", "quokka", "marzipan", "obelisk", "tundra", "gazebo")
SERVICES = ("alpha-api", "beta-db", "gamma-queue")
TEAMS = ("payments", "storage")
SEVERITIES = ("SEV1", "SEV2", "SEV3")
STATUSES = ("draft", "published")
QUERIES = (
    "zephyr",
    "quokka marzipan",
    "obelisk -tundra",
    "gazebo service:alpha-api",
    "tundra team:storage",
    "zephyr -severity:SEV1",
    "marzipan status:published after:2024",
)


@dataclass(frozen=True)
class Made:
    key: str
    text: tuple[str, ...]  # the invented words of title, summary and background, in order
    service: str
    team: str
    severity: str
    status: str
    year: int
    restricted: bool


def _sentence(rng: random.Random, length: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(length)]


@pytest.fixture
def made(alice: User, bob: User, charlie: User, payments: Team) -> list[Made]:
    storage = Team.objects.create(slug="storage", name="Storage")
    storage.members.set([charlie])
    rng = random.Random(20261207)
    made: list[Made] = []
    records = []
    for n in range(60):
        title, summary, background = (_sentence(rng, k) for k in (2, 4, 12))
        item = Made(
            key=f"PM-R{n:03d}",
            text=(*title, *summary, *background),
            service=rng.choice(SERVICES),
            team=rng.choice(TEAMS),
            severity=rng.choice(SEVERITIES),
            status=rng.choice(STATUSES),
            year=rng.choice((2023, 2024, 2025)),
            restricted=rng.random() < 0.3,
        )
        incident = replace(
            incident_record(
                f"INC-{item.key}",
                visibility="restricted" if item.restricted else "internal",
                team=item.team,
            ),
            services=[item.service],
            severity=item.severity,
        )
        base = postmortem_record(item.key, status=item.status, owner=rng.choice(("alice", "bob")))
        records.append(
            replace(
                base,
                title=" ".join(title).capitalize(),
                sections={"summary": " ".join(summary), "background": " ".join(background)},
                incidents=[incident],
                reviewers=[],
                created_at=datetime(item.year, rng.randint(1, 12), 3, tzinfo=UTC),
            )
        )
        made.append(item)
    assert bulk_insert(records) == (60, 0)
    return made


def _matches(item: Made, text: str) -> bool:
    """The reference matcher for the queries above (words, exclusions and filters).

    Phrases are left to the ordering test: SQLite never matches one across two fields,
    PostgreSQL's vector joins the fields end to end."""
    words = set(item.text)
    for part in text.split():
        negated = part.startswith("-")
        part = part.lstrip("-")
        if ":" in part:
            name, value = part.split(":", 1)
            facet = {
                "service": item.service,
                "team": item.team,
                "severity": item.severity,
                "status": item.status,
            }
            found = item.year >= int(value) if name == "after" else facet[name] == value
        else:
            found = part in words
        if found == negated:
            return False
    return True


def _visible(made: list[Made], user: User | None) -> set[str]:
    everything = {item.key for item in made}
    if user is None:
        return everything
    return set(visible_postmortems(user).filter(key__in=everything).values_list("key", flat=True))


def _all_pages(text: str, user: User | None, per_page: int) -> list[str]:
    first = search(text, user=user, per_page=per_page, with_facets=False)
    found = [hit.postmortem.key for hit in first.hits]
    for page in range(2, first.pages + 1):
        results = search(text, user=user, per_page=per_page, page=page, with_facets=False)
        found += [hit.postmortem.key for hit in results.hits]
    assert first.total == len(found)
    return found


def _reference_facets(items: list[Made]) -> dict[str, dict[str, int]]:
    counts = {
        "service": Counter(item.service for item in items),
        "team": Counter(item.team for item in items),
        "severity": Counter(item.severity for item in items),
        "status": Counter(item.status for item in items),
        "year": Counter(str(item.year) for item in items),
    }
    return {name: dict(counter) for name, counter in counts.items()}


def _readers(alice: User, charlie: User) -> list[User | None]:
    outsider = User.objects.create_user("outsider")
    return [None, alice, charlie, outsider]


def test_results_and_facets_equal_the_reference(
    made: list[Made], alice: User, charlie: User
) -> None:
    for user in _readers(alice, charlie):
        visible = _visible(made, user)
        for text in QUERIES:
            expected = [i for i in made if i.key in visible and _matches(i, text)]
            found = _all_pages(text, user, per_page=7)
            assert sorted(found) == sorted(i.key for i in expected), (text, user)
            assert len(found) == len(set(found))
            assert found == _all_pages(text, user, per_page=100)
            facets = search(text, user=user, per_page=1).facets
            counted = {
                name: {value.value: value.count for value in values}
                for name, values in facets.items()
                if name != "factor"
            }
            reference = _reference_facets(expected)
            assert all(len(values) <= FACET_SIZE for values in reference.values())
            assert counted == {name: values for name, values in reference.items()}, (text, user)


def test_restricted_postmortems_are_never_counted_for_outsiders(
    made: list[Made], alice: User, charlie: User
) -> None:
    outsider = User.objects.create_user("outsider")
    hidden = [i for i in made if i.restricted]
    assert hidden
    for text in ("zephyr", "quokka", "obelisk", "gazebo", "tundra", "marzipan"):
        results = search(text, user=outsider, per_page=100)
        keys = {hit.postmortem.key for hit in results.hits}
        assert not keys & {i.key for i in hidden}
        total = sum(value.count for value in results.facets["severity"])
        assert total == results.total == len(keys)


def _postgres_reference_order(text: str, rank_text: str | None = None) -> list[str]:
    """Ranking computed from the documents' text, not from the tables the trigger keeps.

    ``text`` selects the matches (words, phrases and excluded words); ``rank_text`` (by
    default ``text``) is what they are ranked by: the words and phrases searched for."""
    head = (
        "setweight(to_tsvector('secondstory', d.title || ' ' || d.summary), 'A') || "
        "setweight(to_tsvector('secondstory', d.factors || ' ' || d.actions || ' ' || "
        "d.labels), 'B')"
    )
    full = (
        f"{head} || setweight(to_tsvector('secondstory', d.narrative), 'C') || "
        "setweight(to_tsvector('secondstory', d.timeline), 'D')"
    )
    query = "websearch_to_tsquery('secondstory', %s)"
    words = "array_to_string(tsvector_to_array(to_tsvector('secondstory', %s)), ' | ')::tsquery"
    sql = f"""
        SELECT p.key FROM library_searchdocument d
        JOIN postmortems_postmortem p ON p.id = d.postmortem_id
        WHERE ({full}) @@ {query}
        ORDER BY ts_rank({head}, {query}) DESC, ts_rank({head}, {words}) DESC,
            ts_rank({full}, {query}) DESC, d.id
    """
    with connection.cursor() as cursor:
        ranked = rank_text if rank_text is not None else text
        cursor.execute(sql, [text, ranked, ranked, ranked])
        return [key for (key,) in cursor.fetchall()]


ORDERED = ("zephyr", "quokka marzipan", "obelisk gazebo tundra", '"zephyr quokka"')


def _check_order() -> None:
    for text in ORDERED:
        assert _all_pages(text, None, per_page=6) == _postgres_reference_order(text), text
    with connection.cursor() as cursor:
        cursor.execute(differing_sql())  # every vector and facet key as the text gives it
        assert cursor.fetchone()[0] == 0


READERS_ORDERED = (
    "zephyr",
    "quokka marzipan",
    "obelisk -tundra",
    "gazebo service:alpha-api",
    "zephyr -severity:SEV1",
    "marzipan status:published after:2024",
)


def test_postgresql_order_for_every_reader_and_filter(
    made: list[Made], alice: User, charlie: User
) -> None:
    """What a reader may not read and what a filter leaves out are taken out of the same
    order: filters and visibility never change how the rest ranks."""
    if connection.vendor != "postgresql":
        pytest.skip("the order is PostgreSQL's ts_rank; SQLite ranks with FTS5's BM25")
    by_key = {item.key: item for item in made}
    for user in _readers(alice, charlie):
        visible = _visible(made, user)
        for text in READERS_ORDERED:
            parts = text.split()
            filters = [part for part in parts if ":" in part]
            words = [part for part in parts if ":" not in part]
            positive = " ".join(part for part in words if not part.startswith("-"))
            expected = [
                key
                for key in _postgres_reference_order(" ".join(words), positive)
                if key in visible and all(_matches(by_key[key], f) for f in filters)
            ]
            assert expected, text
            assert _all_pages(text, user, per_page=6) == expected, (text, user)


def test_postgresql_order_equals_ranking_the_text_itself(made: list[Made]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the order is PostgreSQL's ts_rank; SQLite ranks with FTS5's BM25")
    _check_order()
    # After writes: a revision, a reindex of one, a deletion and a rebuild.
    rng = random.Random(7)
    for postmortem in Postmortem.objects.order_by("pk")[:10]:
        postmortem.title = " ".join(_sentence(rng, 3))
        postmortem.summary = " ".join(_sentence(rng, 5))
        postmortem.save()
        if postmortem.pk % 2:
            index_postmortem(postmortem)
        else:
            record_revision(postmortem, author=postmortem.owner, summary="edited")
    _check_order()
    Postmortem.objects.filter(key__in=["PM-R000", "PM-R001"]).delete()
    _check_order()
    rebuild()
    _check_order()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM library_searchvector v JOIN library_searchkeys k "
            "ON k.document_id = v.document_id WHERE v.facets = k.facets"
        )
        assert cursor.fetchone()[0] == 58  # the facet keys the trigger wrote, for every row


# ---- SQLite: BM25 computed from the documents' text ------------------------------------

#: FTS5's bm25() constants and the column weights search passes it (engine.SQLITE_WEIGHTS).
K1, B = 1.2, 0.75
COLUMNS = ("title", "summary", "factors", "actions", "labels", "narrative", "timeline", "keys")
WEIGHTS = (10.0, 8.0, 5.0, 4.0, 4.0, 2.0, 1.0, 0.0)
_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    """unicode61's tokens (letters and digits; the invented words have no other stem)."""
    return [token.lower() for token in _TOKEN.findall(text)]


def _occurrences(columns: list[list[str]], phrase: list[str]) -> list[int]:
    """How many times ``phrase`` occurs in each column (never across two columns)."""
    n = len(phrase)
    return [sum(1 for i in range(len(c) - n + 1) if c[i : i + n] == phrase) for c in columns]


def _sqlite_reference_order(text: str, user: User | None, made: list[Made]) -> list[str]:
    """The visible documents holding every term of ``text`` (and none of its excluded
    terms) that pass its filters, ordered by FTS5's BM25 as computed here from their text:
    best first, ties oldest (lowest row id) first. Filters and visibility are phrases of
    the keys column, whose weight is 0: they count for nothing."""
    from secondstory.library.models import SearchDocument

    visible = _visible(made, user)
    rows = list(
        SearchDocument.objects.order_by("pk").values_list("pk", "postmortem__key", *COLUMNS)
    )
    documents = {pk: (key, [_tokens(t) for t in texts]) for pk, key, *texts in rows}
    parts = shlex.split(text)
    filters = [part for part in parts if ":" in part]
    terms = [part.split() for part in parts if ":" not in part and not part.startswith("-")]
    excluded = [part[1:].split() for part in parts if ":" not in part and part.startswith("-")]
    passing = {item.key for item in made if all(_matches(item, f) for f in filters)}
    total_tokens = sum(len(c) for _, columns in documents.values() for c in columns)
    avgdl = total_tokens / len(documents)
    idf = []
    for phrase in terms:
        hits = sum(1 for _, c in documents.values() if sum(_occurrences(c, phrase)))
        value = math.log((len(documents) - hits + 0.5) / (hits + 0.5))
        idf.append(value if value > 0 else 1e-6)
    ranked = []
    for pk, (key, columns) in documents.items():
        counts = [_occurrences(columns, phrase) for phrase in terms]
        if key not in visible or key not in passing or not all(sum(c) for c in counts):
            continue
        if any(sum(_occurrences(columns, phrase)) for phrase in excluded):
            continue
        size = sum(len(c) for c in columns)
        score = 0.0
        for weight_of, per_column in zip(idf, counts, strict=True):
            freq = sum(w * n for w, n in zip(WEIGHTS, per_column, strict=True))
            score += weight_of * ((freq * (K1 + 1.0)) / (freq + K1 * (1 - B + B * size / avgdl)))
        ranked.append((-score, pk, key))
    return [key for _, _, key in sorted(ranked)]


SQLITE_ORDERED = (
    "zephyr",
    "quokka marzipan",
    "obelisk gazebo tundra",
    '"zephyr quokka"',
    "obelisk -tundra",
    'gazebo -"quokka zephyr"',
    "gazebo service:alpha-api",
    "zephyr -severity:SEV1",
    "marzipan status:published after:2024",
)


def _check_sqlite_order(made: list[Made], readers: list[User | None]) -> None:
    for user in readers:
        for text in SQLITE_ORDERED:
            expected = _sqlite_reference_order(text, user, made)
            assert expected, text
            assert _all_pages(text, user, per_page=6) == expected, (text, user)


def test_sqlite_order_equals_bm25_of_the_text_itself(
    made: list[Made], alice: User, charlie: User
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the order is FTS5's BM25; PostgreSQL ranks with ts_rank")
    readers = _readers(alice, charlie)
    _check_sqlite_order(made, readers)
    rng = random.Random(11)
    for postmortem in Postmortem.objects.order_by("pk")[:10]:
        postmortem.title = " ".join(_sentence(rng, 3))
        postmortem.summary = " ".join(_sentence(rng, 5))
        postmortem.save()
        if postmortem.pk % 2:
            index_postmortem(postmortem)
        else:
            record_revision(postmortem, author=postmortem.owner, summary="edited")
    _check_sqlite_order(made, readers)
    Postmortem.objects.filter(key__in=["PM-R000", "PM-R001"]).delete()
    _check_sqlite_order([m for m in made if m.key not in ("PM-R000", "PM-R001")], readers)
    rebuild()
    _check_sqlite_order([m for m in made if m.key not in ("PM-R000", "PM-R001")], readers)
