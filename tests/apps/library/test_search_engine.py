"""The search engine: matching, ranking, filters, snippets, facets and visibility.

The expectations are fixed result sets, so the SQLite run and the PostgreSQL run of
the suite check the same results for the same queries (parity up to rank ties).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from secondstory.accounts.models import Team, User
from secondstory.core.record import FactorRecord
from secondstory.core.search.query import QueryError
from secondstory.core.timeline.event import TimelineEvent
from secondstory.library.index import index_postmortem, rebuild
from secondstory.library.models import SearchDocument
from secondstory.library.search import search
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from secondstory.postmortems.revisions import record_revision
from tests.apps.factories import incident_record, postmortem_record


def _load(
    key: str, *, title: str, summary: str = "", status: str = "", **changes: object
) -> Postmortem:
    base = postmortem_record(key)
    incident = incident_record(f"INC-{key}")
    incident_changes = {
        k: changes.pop(k)
        for k in ("services", "teams", "tags", "severity", "visibility", "timeline")
        if k in changes
    }
    incident = replace(incident, **incident_changes)  # type: ignore[arg-type]
    record = replace(
        base,
        title=title,
        incidents=[incident],
        sections={"summary": summary, **changes.pop("sections", {})},  # type: ignore[dict-item]
        **changes,  # type: ignore[arg-type]
    )
    postmortem = load_record(record)
    if status:
        Postmortem.objects.filter(pk=postmortem.pk).update(status=status)
        postmortem.refresh_from_db()
        index_postmortem(postmortem)
    return postmortem


@pytest.fixture
def library(alice: User, bob: User, charlie: User, payments: Team) -> dict[str, Postmortem]:
    Team.objects.create(slug="storage", name="Storage")
    return {
        "PM-DNS": _load(
            "PM-DNS",
            title="DNS resolution failed for the search cluster",
            summary="Resolvers dropped queries after a certificate rotation.",
            services=["search"],
            teams=["storage"],
            tags=["dns"],
            severity="SEV1",
            timeline=[
                TimelineEvent(
                    datetime(2025, 2, 10, 3, 0, tzinfo=UTC),
                    "alert",
                    "manual",
                    "d1",
                    "NXDOMAIN spike",
                )
            ],
            factors=[FactorRecord("F1", "technical", "Resolver cache expired all at once.")],
            action_items=[],
            created_at=datetime(2025, 2, 10, tzinfo=UTC),
            status="published",
        ),
        "PM-POOL": _load(
            "PM-POOL",
            title="Checkout errors from connection pool exhaustion",
            summary="The connection pool ran out during a sale.",
            sections={"went_poorly": "The failover took forty minutes."},
            created_at=datetime(2025, 6, 1, tzinfo=UTC),
        ),
        "PM-FAIL": _load(
            "PM-FAIL",
            title="Database failover stalled",
            summary="Replication lag held the failover back.",
            services=["ledger"],
            tags=["database"],
            created_at=datetime(2024, 11, 3, tzinfo=UTC),
            status="published",
        ),
        "PM-SECRET": _load(
            "PM-SECRET",
            title="Secret key leak in the payments vault",
            summary="A vault token was printed to build logs; failover was not needed.",
            visibility="restricted",
            created_at=datetime(2025, 3, 3, tzinfo=UTC),
        ),
    }


def keys(text: str, user: User | None = None) -> list[str]:
    return sorted(hit.postmortem.key for hit in search(text, user=user, per_page=50).hits)


PARITY = [
    ("failover", ["PM-FAIL", "PM-POOL", "PM-SECRET"]),
    ("failovers", ["PM-FAIL", "PM-POOL", "PM-SECRET"]),
    ("connection pool", ["PM-FAIL", "PM-POOL", "PM-SECRET"]),
    ('"connection pool exhaustion"', ["PM-POOL"]),
    ('"pool connection"', []),
    ("failover -replication", ["PM-POOL", "PM-SECRET"]),
    ('failover -"forty minutes"', ["PM-FAIL", "PM-SECRET"]),
    ("resolver", ["PM-DNS"]),
    ("certificate rotation dns", ["PM-DNS"]),
    ("checkout", ["PM-DNS", "PM-FAIL", "PM-POOL", "PM-SECRET"]),
    ("service:checkout", ["PM-POOL", "PM-SECRET"]),
    ("service:ledger failover", ["PM-FAIL"]),
    ("-service:checkout", ["PM-DNS", "PM-FAIL"]),
    ("team:storage", ["PM-DNS"]),
    ("team:Payments", ["PM-FAIL", "PM-POOL", "PM-SECRET"]),
    ("tag:database", ["PM-FAIL"]),
    ("severity:sev1", ["PM-DNS"]),
    ('factor:"technical"', ["PM-DNS"]),
    ("factor:tooling failover", ["PM-FAIL", "PM-POOL", "PM-SECRET"]),
    ("status:published", ["PM-DNS", "PM-FAIL"]),
    ('status:"in review"', []),
    ("after:2025-01 before:2025-06", ["PM-DNS", "PM-SECRET"]),
    ("after:2025-06-01", ["PM-POOL"]),
    ("before:2025", ["PM-FAIL"]),
    ("-failover", ["PM-DNS"]),
    ("vault token", ["PM-SECRET"]),
    ('"vault token"', ["PM-SECRET"]),
    ('"token vault"', []),
    ('"printed to build logs" vault', ["PM-SECRET"]),
    ("nothingmatchesthis", []),
    ("resolver _", ["PM-DNS"]),
    ("resolver_cache", ["PM-DNS"]),
]


@pytest.mark.parametrize(("text", "expected"), PARITY)
def test_the_same_results_on_every_database(
    library: dict[str, Postmortem], text: str, expected: list[str]
) -> None:
    assert keys(text) == expected


def test_title_and_summary_outrank_the_narrative(library: dict[str, Postmortem]) -> None:
    hits = search("failover", user=None).hits
    assert hits[0].postmortem.key == "PM-FAIL"
    assert hits[-1].postmortem.key != "PM-FAIL"


def test_snippets_are_escaped_with_marks_only(alice: User, payments: Team) -> None:
    _load("PM-X", title="Markup", summary="failover <script>alert(1)</script> & more")
    snippet = search("failover", user=None).hits[0].snippet
    assert "<mark>failover</mark>" in snippet
    assert "<script" not in snippet
    assert "</script" not in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "&amp; more" in snippet


def test_filter_only_results_show_the_summary(library: dict[str, Postmortem]) -> None:
    hit = search("tag:dns", user=None).hits[0]
    assert "certificate rotation" in hit.snippet


def test_restricted_postmortems_never_reach_outsiders(
    library: dict[str, Postmortem], charlie: User, alice: User
) -> None:
    assert keys("failover", charlie) == ["PM-FAIL", "PM-POOL"]
    assert keys("vault", charlie) == []
    assert keys("vault", alice) == ["PM-SECRET"]
    outsider = search("failover", user=charlie)
    assert outsider.total == 2
    assert all("vault" not in hit.snippet for hit in outsider.hits)
    counts = {f.value: f.count for f in outsider.facets["service"]}
    assert counts == {"checkout": 1, "ledger": 1}
    years = {f.value: f.count for f in outsider.facets["year"]}
    assert years == {"2024": 1, "2025": 1}
    insider = search("failover", user=alice)
    assert {f.value: f.count for f in insider.facets["service"]} == {"checkout": 2, "ledger": 1}


def test_facets_count_the_matching_set_and_link_to_narrower_queries(
    library: dict[str, Postmortem],
) -> None:
    results = search("failover", user=None)
    facets = {name: {f.value: f.count for f in values} for name, values in results.facets.items()}
    assert facets["service"] == {"checkout": 2, "ledger": 1}
    assert facets["team"] == {"payments": 3}
    assert facets["severity"] == {"SEV2": 3}
    assert facets["factor"] == {"tooling": 3, "detection": 3}
    assert facets["status"] == {"draft": 2, "published": 1}
    assert facets["year"] == {"2025": 2, "2024": 1}
    ledger = next(f for f in results.facets["service"] if f.value == "ledger")
    assert ledger.query == "failover service:ledger"
    assert keys(ledger.query) == ["PM-FAIL"]
    year = next(f for f in results.facets["year"] if f.value == "2024")
    assert year.query == "failover after:2024 before:2025"


def test_pagination(library: dict[str, Postmortem]) -> None:
    first = search("failover", user=None, per_page=2)
    second = search("failover", user=None, per_page=2, page=2)
    assert (first.total, first.pages, second.page) == (3, 2, 2)
    seen = [h.postmortem.key for h in first.hits + second.hits]
    assert sorted(seen) == ["PM-FAIL", "PM-POOL", "PM-SECRET"]
    assert search("failover", user=None, per_page=2, page=99).page == 2


def test_bad_filter_values_name_the_field(library: dict[str, Postmortem]) -> None:
    with pytest.raises(QueryError, match="status: 'finished' is not a status"):
        search("status:finished", user=None)
    with pytest.raises(QueryError, match="unknown field 'owner'"):
        search("owner:alice", user=None)


def test_every_change_through_a_revision_updates_the_index(
    library: dict[str, Postmortem], alice: User
) -> None:
    postmortem = library["PM-POOL"]
    postmortem.summary = "A thundering herd of retries."
    postmortem.save()
    assert keys("thundering") == []
    record_revision(postmortem, author=alice, summary="edited the summary")
    assert keys("thundering") == ["PM-POOL"]
    assert keys('"connection pool ran out"') == []


def test_deleting_a_postmortem_removes_it_from_the_index(library: dict[str, Postmortem]) -> None:
    library["PM-DNS"].delete()
    assert keys("resolver") == []
    assert not SearchDocument.objects.filter(postmortem__key="PM-DNS").exists()


def test_rebuild_recreates_every_document(library: dict[str, Postmortem]) -> None:
    SearchDocument.objects.all().delete()
    assert keys("failover") == []
    seen: list[int] = []
    assert rebuild(seen.append, batch=3) == 4
    assert seen == [3, 1]
    assert keys("failover") == ["PM-FAIL", "PM-POOL", "PM-SECRET"]


def test_timeline_factors_and_actions_are_searchable(library: dict[str, Postmortem]) -> None:
    assert keys("CheckoutErrorRate") == ["PM-FAIL", "PM-POOL", "PM-SECRET"]
    assert keys('"pool sizes"') == ["PM-FAIL", "PM-POOL", "PM-SECRET"]
    assert keys('"resolver cache expired"') == ["PM-DNS"]


def test_the_bulk_loader_indexes_what_it_writes(alice: User, bob: User, payments: Team) -> None:
    from secondstory.postmortems.bulk import bulk_insert

    record = replace(postmortem_record("PM-B1"), title="Bulk loaded thundering herd")
    assert bulk_insert([record, postmortem_record("PM-B2")]) == (2, 0)
    assert keys("thundering herd") == ["PM-B1"]
    assert keys("pool") == ["PM-B1", "PM-B2"]
    assert SearchDocument.objects.count() == 2


def test_the_best_match_ranks_first_behind_a_thousand_newer_weaker_matches(
    alice: User, bob: User, payments: Team
) -> None:
    from secondstory.postmortems.bulk import bulk_insert

    base = postmortem_record("PM-OLD")
    best = replace(
        base,
        title="Gateway timeout storm: gateway timeout after every deploy",
        sections={"summary": "The gateway timeout hit checkout after each deploy."},
    )
    weaker = [
        replace(
            postmortem_record(f"PM-NEW{n:04d}"),
            sections={"summary": f"Routine note {n}.", "background": "One gateway timeout."},
        )
        for n in range(1001)
    ]
    assert bulk_insert([best]) == (1, 0)
    assert bulk_insert(weaker) == (1001, 0)
    old = SearchDocument.objects.get(postmortem__key="PM-OLD").pk
    assert SearchDocument.objects.filter(pk__lt=old).count() == 0  # recorded first
    results = search("gateway timeout", user=None, per_page=5)
    assert results.total == 1002
    assert results.pages == 201
    assert results.hits[0].postmortem.key == "PM-OLD"
    assert results.hits[0].rank > results.hits[1].rank
    last = search("gateway timeout", user=None, per_page=5, page=201)
    assert len(last.hits) == 2 and "PM-OLD" not in [h.postmortem.key for h in last.hits]
    assert search("gateway timeout", user=None).facets["service"][0].count == 1002


def test_people_named_on_a_restricted_postmortem_find_it(
    library: dict[str, Postmortem], charlie: User
) -> None:
    secret = library["PM-SECRET"]
    assert keys("vault", charlie) == []
    secret.reviewers.add(charlie)
    index_postmortem(secret)
    assert keys("vault", charlie) == ["PM-SECRET"]
    assert search("vault", user=charlie).facets["service"][0].count == 1


def test_filter_only_results_come_newest_recorded_first(library: dict[str, Postmortem]) -> None:
    hits = [h.postmortem.key for h in search("team:Payments", user=None).hits]
    order = SearchDocument.objects.filter(postmortem__key__in=hits).order_by("-pk")
    assert hits == list(order.values_list("postmortem__key", flat=True))


def test_postgresql_keeps_one_vector_row_per_document(library: dict[str, Postmortem]) -> None:
    from django.db import connection

    from secondstory.library.models import SearchVector

    if connection.vendor != "postgresql":
        assert not SearchVector.objects.exists()  # SQLite searches its FTS5 table
        return
    documents = set(SearchDocument.objects.values_list("pk", flat=True))
    assert set(SearchVector.objects.values_list("pk", flat=True)) == documents
    library["PM-DNS"].delete()
    rebuild()
    documents = set(SearchDocument.objects.values_list("pk", flat=True))
    assert set(SearchVector.objects.values_list("pk", flat=True)) == documents
    assert keys("resolver") == []
