"""The page change tokens: every watched table has its triggers, every write moves a version,
and ``ensure`` puts back triggers a table rebuild dropped."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from secondstory.accounts.models import User
from secondstory.incidents.models import (
    EventReference,
    ExternalReference,
    Incident,
    MilestoneKind,
    Tag,
    TimelineEvent,
)
from secondstory.insights.triggers import existing
from secondstory.pagecache import triggers
from secondstory.pagecache.versions import page_version, timeline_part
from secondstory.postmortems.models import Comment, Postmortem, PostmortemTransition
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record


def test_every_watched_table_has_its_triggers(db: None) -> None:
    wanted = set(triggers.all_triggers(connection.vendor))
    assert wanted <= existing(connection)
    tables = {table for _name, table in wanted}
    assert tables == (
        set(triggers.POSTMORTEM) | set(triggers.TIMELINE) | set(triggers.INCIDENT)
        | set(triggers.SHARED)
    )  # fmt: skip


@pytest.fixture
def filled(postmortem: Postmortem, alice: User, bob: User) -> Postmortem:
    """The test postmortem with a row in every table of the page that its record leaves empty."""
    incident = postmortem.incidents.get()
    event = incident.timeline.first()
    assert event is not None
    EventReference.objects.create(
        incident=incident, event=event, source="grafana", source_ref="g-1", at=event.at, text="x"
    )
    ExternalReference.objects.create(incident=incident, system="jira", identifier="OPS-1")
    incident.tags.add(Tag.objects.create(slug="checkout"))
    postmortem.collaborators.add(bob)
    Comment.objects.create(postmortem=postmortem, author=alice, section="summary", body="Why?")
    PostmortemTransition.objects.create(
        postmortem=postmortem, from_status="draft", to_status="draft", by=alice, at=event.at
    )
    postmortem.review_dismissals.create(
        section="summary", rule="r", text="t", by=alice, at=event.at
    )
    return postmortem


def _owned_rows() -> list[tuple[str, str, str]]:
    owned = {**triggers.POSTMORTEM, **triggers.TIMELINE}
    return [(table, column, "postmortem") for table, column in owned.items()] + [
        (table, column, "incident") for table, column in triggers.INCIDENT.items()
    ]


@pytest.mark.parametrize(("table", "column", "owner"), _owned_rows())
def test_an_update_of_any_row_of_the_page_moves_its_version(
    filled: Postmortem, table: str, column: str, owner: str
) -> None:
    owner_id = filled.pk if owner == "postmortem" else filled.incidents.get().pk
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = %s", [owner_id])
        assert cursor.fetchone()[0] > 0, f"the fixture has no row in {table}"
        before = page_version(filled.pk)
        cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", [owner_id])
    assert page_version(filled.pk) != before


@pytest.mark.parametrize(("table", "column", "owner"), _owned_rows())
def test_a_delete_of_any_row_of_the_page_moves_its_version(
    filled: Postmortem, table: str, column: str, owner: str
) -> None:
    owner_id = filled.pk if owner == "postmortem" else filled.incidents.get().pk
    before = page_version(filled.pk)
    # Through the ORM, which deletes what refers to the rows too (the constraints hold).
    model = next(m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)
    deleted, _counts = model._base_manager.filter(**{column: owner_id}).delete()
    assert deleted
    assert page_version(filled.pk) != before


def test_shared_lists_move_every_version(postmortem: Postmortem, alice: User) -> None:
    before = page_version(postmortem.pk)
    kind = MilestoneKind.objects.first()
    assert kind is not None
    MilestoneKind.objects.filter(pk=kind.pk).update(name="Renamed")
    after_kind = page_version(postmortem.pk)
    assert after_kind != before
    User.objects.filter(pk=alice.pk).update(display_name="Alice Renamed")
    after_name = page_version(postmortem.pk)
    assert after_name != after_kind
    # Signing in writes last_login: no page shows it, so no version moves.
    User.objects.filter(pk=alice.pk).update(last_login="2026-03-05T10:00:00Z")
    assert page_version(postmortem.pk) == after_name


def test_an_event_of_a_shared_incident_moves_both_postmortems(
    postmortem: Postmortem, alice: User, bob: User, charlie: User, payments: object
) -> None:
    other = load_record(postmortem_record("PM-2"))
    incident = postmortem.incidents.get()
    other.incidents.add(incident)
    first, second = page_version(postmortem.pk), page_version(other.pk)
    TimelineEvent.objects.filter(incident=incident).update(text="Edited")
    assert page_version(postmortem.pk) != first
    assert page_version(other.pk) != second


def test_a_write_to_another_postmortem_leaves_the_version(
    postmortem: Postmortem, alice: User, bob: User, charlie: User, payments: object
) -> None:
    other = load_record(postmortem_record("PM-2"))
    before = page_version(postmortem.pk)
    TimelineEvent.objects.filter(incident__postmortems=other).update(text="Elsewhere")
    Postmortem.objects.filter(pk=other.pk).update(title="Another title")
    assert page_version(postmortem.pk) == before


def test_ensure_puts_back_a_dropped_trigger_and_moves_every_version(postmortem: Postmortem) -> None:
    name, table = next(
        key
        for key in triggers.all_triggers(connection.vendor)
        if key[1] == "incidents_timelineevent"
    )
    on = "" if connection.vendor == "sqlite" else f" ON {table}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}{on}")
    assert (name, table) not in existing(connection)
    before = page_version(postmortem.pk)
    assert triggers.ensure(connection) == [f"{name} on {table}"]
    assert (name, table) in existing(connection)
    assert page_version(postmortem.pk) != before
    assert triggers.ensure(connection) == []


@pytest.mark.django_db(transaction=True)
def test_triggers_come_back_after_sqlite_rebuilds_a_table() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds a table to alter it")
    mine = {key for key in triggers.all_triggers("sqlite") if key[1] == "incidents_incident"}
    with connection.schema_editor() as editor:
        editor._remake_table(Incident)  # what a migration altering a column does
    assert not mine & existing(connection)
    triggers.ensure(connection)
    assert mine <= existing(connection)


def test_ensure_puts_back_the_unique_indexes_the_sqlite_triggers_need(
    postmortem: Postmortem,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's triggers add rows: no unique index")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX pagecache_incidentchange_one")
    triggers.ensure(connection)
    before = page_version(postmortem.pk)
    TimelineEvent.objects.filter(incident__postmortems=postmortem).update(text="Still moves")
    assert page_version(postmortem.pk) != before


def _timeline(postmortem: Postmortem) -> str:
    return timeline_part(page_version(postmortem.pk))


def test_a_section_save_moves_the_page_but_not_its_timeline(filled: Postmortem) -> None:
    page, timeline = page_version(filled.pk), _timeline(filled)
    Postmortem.objects.filter(pk=filled.pk).update(summary="Edited with update().")
    assert page_version(filled.pk) != page and _timeline(filled) == timeline
    page = page_version(filled.pk)
    filled.refresh_from_db()
    filled.summary = "Edited with save(), which writes every column."
    filled.save()
    assert page_version(filled.pk) != page and _timeline(filled) == timeline


@pytest.mark.parametrize("column", triggers.TIMELINE_COLUMNS)
def test_a_column_the_window_shows_moves_the_timeline(
    filled: Postmortem, charlie: User, column: str
) -> None:
    timeline = _timeline(filled)
    value = {"key": "PM-RENAMED", "owner_id": charlie.pk, "facilitator_id": charlie.pk}[column]
    Postmortem.objects.filter(pk=filled.pk).update(**{column: value})
    assert _timeline(filled) != timeline


@pytest.mark.parametrize("table", list(triggers.TIMELINE))
def test_the_tables_the_window_reads_move_the_timeline(filled: Postmortem, table: str) -> None:
    timeline = _timeline(filled)
    column = triggers.TIMELINE[table]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", [filled.pk])
    assert _timeline(filled) != timeline


def test_a_write_to_the_timeline_only_tables_of_another_postmortem_leaves_it(
    filled: Postmortem, charlie: User
) -> None:
    other = load_record(postmortem_record("PM-2"))
    timeline = _timeline(filled)
    other.collaborators.add(charlie)
    Postmortem.objects.filter(pk=other.pk).update(owner=charlie)
    assert _timeline(filled) == timeline
