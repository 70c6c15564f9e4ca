"""The insights' cache: reused exactly while the data is unchanged, never across a change,
and never carrying one reader's keys to another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.core.cache import caches
from django.db import connection

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.incidents.models import Incident, Milestone, Service, Severity, TimelineEvent
from secondstory.insights import freshness, health_data, pages
from secondstory.insights.models import DataChange
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

RANGE = "from=2026-01-01&to=2026-06-30"


def _rows(response: object) -> dict[str, object]:
    sections = response.context["sections"]  # type: ignore[attr-defined]
    charts = {chart.id: chart.rows for _, _, charts, _ in sections for chart in charts}
    facts = {
        "drafts": sections[2][3]["drafts"],
        "coverage": sections[2][3]["coverage"],
        "recurring": sections[4][3]["recurring"],
    }
    return {**charts, **facts}


def _move_milestones(days: int) -> None:
    Milestone.objects.filter(incident__key="INC-PM-1").update(
        at=datetime(2026, 5, 1, 12, tzinfo=UTC) + timedelta(days=days)
    )


def _raw_update_factor() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE postmortems_contributingfactor SET description = 'edited' WHERE id = %s",
            [ContributingFactor.objects.order_by("pk").values_list("pk", flat=True)[0]],
        )


WRITES: dict[str, Callable[[], object]] = {
    "create a postmortem": lambda: load_record(postmortem_record("PM-2")),
    "update milestones (queryset update)": lambda: _move_milestones(3),
    "finish an item": lambda: ActionItem.objects.update(
        status="done", completed_at=datetime.now(UTC)
    ),
    "edit a factor (raw SQL)": _raw_update_factor,
    "name a team on an incident": lambda: Incident.objects.get(key="INC-PM-1").teams.add(
        Team.objects.create(slug="search", name="Search")
    ),
    "bulk-create a factor": lambda: ContributingFactor.objects.bulk_create(
        [
            ContributingFactor(
                postmortem=Postmortem.objects.get(key="PM-1"),
                key="F9",
                position=9,
                category=FactorCategory.objects.get(code="process"),
                description="The change window overlapped the sale.",
            )
        ]
    ),
    "delete a postmortem": lambda: Postmortem.objects.filter(key="PM-1").delete(),
    "rename a severity": lambda: Severity.objects.filter(
        pk=Incident.objects.get(key="INC-PM-1").severity_id
    ).update(name="Major"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_the_data_behind_the_figures_changes_the_token(
    postmortem: Postmortem, write: str
) -> None:
    before = freshness.data_version()
    assert freshness.data_version() == before  # reading changes nothing
    WRITES[write]()
    assert freshness.data_version() != before


def test_writes_elsewhere_leave_the_token_alone(postmortem: Postmortem, alice: User) -> None:
    before = freshness.data_version()
    TimelineEvent.objects.update(text="edited")
    User.objects.filter(pk=alice.pk).update(display_name="Alice")
    assert freshness.data_version() == before


def test_an_emptied_token_table_starts_afresh(postmortem: Postmortem) -> None:
    DataChange.objects.all().delete()
    assert DataChange.objects.count() == 0
    token = freshness.data_version()
    assert DataChange.objects.count() == 1 and token != "0:0"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_folds_the_token_rows_and_keeps_counting(
    postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(freshness, "FOLD_AFTER", 2)
    for days in range(3):
        _move_milestones(days)
    folded = freshness.data_version()
    assert DataChange.objects.count() == 1
    _move_milestones(10)
    assert freshness.data_version() != folded


def _fresh(client: object) -> dict[str, object]:
    caches["insights"].clear()
    return _rows(client.get(f"/insights/?{RANGE}"))  # type: ignore[attr-defined]


def test_cached_figures_equal_a_fresh_computation_after_creates_updates_and_deletes(
    postmortem: Postmortem, restricted: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    changes: list[Callable[[], object]] = [
        lambda: load_record(postmortem_record("PM-2")),  # create
        lambda: load_record(postmortem_record("PM-3")),
        lambda: _move_milestones(40),  # update: PM-1's incident moves to June
        lambda: ActionItem.objects.filter(postmortem__key="PM-2").update(
            status="done", completed_at=datetime(2026, 4, 1, tzinfo=UTC)
        ),
        lambda: Postmortem.objects.filter(key="PM-3").delete(),  # delete
        lambda: Incident.objects.filter(key="INC-PM-3").delete(),
    ]
    seen = [_rows(client.get(f"/insights/?{RANGE}"))]
    for change in changes:
        change()
        cached = _rows(client.get(f"/insights/?{RANGE}"))
        assert cached == _fresh(client)
        seen.append(cached)
    # every change moved a figure, so a stale cache could not have passed
    assert all(a != b for a, b in pairwise(seen))


def test_an_unchanged_page_is_served_from_the_cache(
    postmortem: Postmortem, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(alice)
    first = _rows(client.get(f"/insights/?{RANGE}"))

    def fail(*args: object) -> None:
        raise AssertionError("computed again although the data did not change")

    monkeypatch.setattr(pages, "incidents_charts", fail)
    monkeypatch.setattr(pages, "writing_charts", fail)
    assert _rows(client.get(f"/insights/?{RANGE}")) == first
    load_record(postmortem_record("PM-2"))
    with pytest.raises(AssertionError, match="computed again"):
        client.get(f"/insights/?{RANGE}")


def test_a_cached_page_shows_an_outsider_restricted_postmortems_only_as_counts(
    postmortem: Postmortem, restricted: Postmortem, alice: User, charlie: User
) -> None:
    load_record(postmortem_record("PM-2"))
    load_record(postmortem_record("PM-3"))
    insider = client_for(alice).get(f"/insights/?{RANGE}")  # computes and caches
    assert b"PM-R" in insider.content
    outsider = client_for(charlie).get(f"/insights/?{RANGE}")  # from the cache
    assert b"PM-R" not in outsider.content
    figures = _rows(outsider)
    assert figures["incidents-by-severity"][2][-1] == 4  # the restricted incident counts
    drafts = figures["drafts"]
    assert drafts.count == 4 and "PM-R" not in drafts.keys  # type: ignore[attr-defined]
    pairs = {(p.service, p.category): p for p in figures["recurring"]}  # type: ignore[attr-defined]
    tooling = pairs[("checkout", "tooling")]
    assert tooling.postmortems == 4 and tooling.keys == ("PM-1", "PM-2", "PM-3")


def test_health_checks_are_reused_until_the_data_changes(
    postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = datetime(2026, 6, 30).date()
    first = health_data.checks(day)  # reviews the postmortems never reviewed, then computes
    real_build = health_data.build
    calls: list[object] = []

    def counting_build(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(health_data, "build", counting_build)
    assert health_data.checks(day) == first and calls == []
    load_record(postmortem_record("PM-2"))
    again = health_data.checks(day)
    assert len(calls) == 1
    caches["insights"].clear()
    assert health_data.checks(day) == again  # the cached result is the fresh one


def test_cached_health_looks_for_never_reviewed_postmortems_once_per_state(
    postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondstory.postmortems.models import ReviewCache

    day = datetime(2026, 6, 30).date()
    first = health_data.checks(day)
    real = health_data.review_unreviewed
    calls: list[object] = []

    def counting(as_of: object) -> int:
        calls.append(as_of)
        return real(as_of)  # type: ignore[arg-type]

    monkeypatch.setattr(health_data, "review_unreviewed", counting)
    assert health_data.checks(day) == first and calls == []  # nothing changed: no query
    load_record(postmortem_record("PM-2"))
    ReviewCache.objects.filter(postmortem__key="PM-2").delete()
    calls.clear()
    health_data.checks(day)
    assert calls and ReviewCache.objects.filter(postmortem__key="PM-2").exists()
    calls.clear()
    assert health_data.checks(day) is not None and calls == []


def test_a_postmortem_without_a_word_is_not_reviewed_at_every_change(
    postmortem: Postmortem,
) -> None:
    """Reviewing an empty postmortem stores nothing, so it would be found unreviewed, and
    reviewed, after every change: it is left out."""
    from secondstory.core import taxonomy
    from secondstory.postmortems.models import ReviewCache

    day = datetime(2026, 6, 30).date()
    health_data.checks(day)
    ReviewCache.objects.filter(postmortem=postmortem).delete()
    assert health_data.review_unreviewed(day) == 1  # written, never reviewed
    Postmortem.objects.filter(pk=postmortem.pk).update(
        **{field: "" for field in taxonomy.SECTION_FIELDS}
    )
    ReviewCache.objects.filter(postmortem=postmortem).delete()
    assert health_data.review_unreviewed(day) == 0


def test_the_worker_job_computes_the_default_pages_before_the_first_reader(
    postmortem: Postmortem, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondstory.insights.jobs import compute_insights
    from secondstory.notify.jobs import periodic_job_paths

    assert "secondstory.insights.jobs.compute_insights" in periodic_job_paths()
    assert compute_insights() == 1 + Team.objects.count() + Service.objects.count() + 1

    def fail(*args: object) -> None:
        raise AssertionError("computed while the reader waited")

    monkeypatch.setattr(pages, "duration_charts", fail)
    monkeypatch.setattr(health_data, "build", fail)
    assert client_for(alice).get("/insights/").status_code == 200
    assert client_for(alice).get("/insights/health/").status_code == 200


def test_cached_health_evidence_stays_a_count_for_readers_who_may_not_read_it(
    db: None, charlie: User
) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from secondstory.cli.main import cli

    fixtures = Path(__file__).parents[2] / "fixtures" / "health" / "slow-publication"
    assert CliRunner().invoke(cli, ["load", str(fixtures)]).exit_code == 0
    day = datetime(2026, 6, 30).date()
    key = next(k for r in health_data.checks(day) if r.status == "alarm" for k in r.evidence)
    Incident.objects.filter(postmortems__key=key).update(visibility="restricted")
    charlie.role = "admin"
    charlie.save()
    staff = client_for(charlie).get("/insights/health/", {"as_of": "2026-06-30"})
    assert f'href="/postmortems/{key}/"' in staff.content.decode()  # computed and cached
    reader = User.objects.create(username="insights-reader", display_name="A Reader")
    html = client_for(reader).get("/insights/health/", {"as_of": "2026-06-30"}).content.decode()
    assert f"/postmortems/{key}/" not in html and f">{key}<" not in html
    assert "restricted postmortem" in html and "you may not read" in html
