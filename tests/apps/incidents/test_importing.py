"""Importing raw exports onto an incident: merge, de-duplication, grouping, redaction, all or
nothing, milestone suggestions (a mixed Slack + PagerDuty + Alertmanager + git log incident)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import EventReference, Incident, Severity, TimelineEvent
from secondstory.postmortems.models import Postmortem

MIXED = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "mixed"
SLACK_TOKEN_TAIL = "AbCdEfGhIjKlMnOpQrStUvWx"


def mixed_inputs() -> list[Source]:
    return [
        Source(MIXED / "slack", "slack"),
        Source(MIXED / "pagerduty.json", "pagerduty.json"),
        Source(MIXED / "alertmanager.json", "alertmanager.json"),
        Source(MIXED / "git.log", "git.log"),
    ]


@pytest.fixture
def incident(db: None) -> Incident:
    return Incident.objects.create(
        key="INC-42",
        title="Checkout returned errors after a pool change",
        severity=Severity.objects.get(code="SEV2"),
    )


def run(incident: Incident, inputs: list[Source] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    redact = bool(kwargs.pop("redact", True))
    request = ImportRequest(inputs or mixed_inputs(), redact=redact)
    return import_events(incident, request, **kwargs)  # type: ignore[arg-type]


def test_mixed_import_builds_one_merged_timeline(incident: Incident) -> None:
    summary = run(incident)
    assert dict(summary.formats) == {
        "slack": "slack",
        "pagerduty.json": "pagerduty",
        "alertmanager.json": "alertmanager",
        "git.log": "gitlog",
    }
    assert summary.parsed == 13
    assert summary.grouped == 2  # the page and its resolution, seen by Alertmanager first
    assert summary.added == 11
    assert summary.duplicates == 0
    events = list(TimelineEvent.objects.filter(incident=incident).order_by("at"))
    assert len(events) == 11
    assert [e.source for e in events][:3] == ["git", "alertmanager", "slack"]
    firing = next(e for e in events if e.source == "alertmanager" and e.state == "firing")
    assert [r.ref for r in firing.also.all()] == ["pagerduty:01DQ6Z8W7GB8ZQ9Z"]
    assert firing.also.get().raw["event"]["event_type"] == "incident.triggered"
    # times keep the offset they were recorded in; the order is by the UTC instant
    commit = next(e for e in events if e.source == "git")
    assert commit.utc_offset_minutes == 60
    assert commit.at == datetime(2026, 3, 4, 13, 58, 10, tzinfo=UTC)


def test_reimporting_the_same_files_adds_nothing(incident: Incident) -> None:
    run(incident)
    again = run(incident)
    assert (again.added, again.grouped, again.duplicates) == (0, 0, 13)
    assert TimelineEvent.objects.filter(incident=incident).count() == 11
    assert EventReference.objects.filter(incident=incident).count() == 2


def test_a_second_source_later_is_grouped_into_what_is_on_the_timeline(
    incident: Incident,
) -> None:
    run(incident, [Source(MIXED / "alertmanager.json")])
    later = run(incident, [Source(MIXED / "pagerduty.json")])
    assert (later.added, later.grouped) == (1, 2)  # the acknowledgement is new
    assert EventReference.objects.filter(incident=incident).count() == 2


def test_secrets_are_redacted_before_anything_is_written(incident: Incident) -> None:
    summary = run(incident)
    assert summary.redactions["slack_token"] == 1
    for event in TimelineEvent.objects.filter(incident=incident):
        assert SLACK_TOKEN_TAIL not in event.text
        assert SLACK_TOKEN_TAIL not in json.dumps(event.raw)
    assert TimelineEvent.objects.filter(text__contains="[REDACTED:slack_token]").count() == 1


def test_no_redact_keeps_the_text_as_it_was(incident: Incident) -> None:
    summary = run(incident, redact=False)
    assert summary.redacted == 0
    assert TimelineEvent.objects.filter(text__contains=SLACK_TOKEN_TAIL).count() == 1


def test_a_failing_file_writes_nothing(incident: Incident, tmp_path: Path) -> None:
    broken = tmp_path / "alerts.json"
    broken.write_text(
        (MIXED / "alertmanager.json").read_text().replace("2026-03-04T14:19:30.004Z", "soon")
    )
    inputs = [*mixed_inputs()[:2], Source(broken, "alerts.json")]
    with pytest.raises(SourceError) as caught:
        run(incident, inputs)
    assert "alerts.json" in str(caught.value)
    assert "endsAt" in str(caught.value)
    assert not TimelineEvent.objects.filter(incident=incident).exists()


def test_an_unknown_format_names_the_file(incident: Incident, tmp_path: Path) -> None:
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01\x02 nothing to see")
    with pytest.raises(SourceError) as caught:
        run(incident, [Source(odd, "notes.bin")])
    assert str(caught.value).startswith("notes.bin")
    assert "--from" in str(caught.value)


def test_a_dry_run_counts_exactly_and_writes_nothing(incident: Incident) -> None:
    summary = run(incident, dry_run=True)
    assert (summary.added, summary.grouped) == (11, 2)
    assert not TimelineEvent.objects.filter(incident=incident).exists()
    assert not EventReference.objects.exists()


def test_milestones_are_suggested_not_set(incident: Incident) -> None:
    summary = run(incident)
    suggested = {s.kind: s.at for s in summary.suggestions}
    assert suggested == {
        "detected": datetime(2026, 3, 4, 14, 1, 30, 512847, tzinfo=UTC),
        "acknowledged": datetime(2026, 3, 4, 14, 4, 5, 120000, tzinfo=UTC),
        "resolved": datetime(2026, 3, 4, 14, 19, 30, 4000, tzinfo=UTC),
    }
    assert not incident.milestones.exists()


def test_accepted_milestones_are_set(incident: Incident) -> None:
    summary = run(incident, accept_milestones=["detected", "resolved"])
    assert summary.milestones_set == ["detected", "resolved"]
    assert incident.milestone_at("detected") == datetime(2026, 3, 4, 14, 1, 30, 512847, tzinfo=UTC)
    assert incident.milestone_at("acknowledged") is None


def test_an_accepted_milestone_out_of_order_refuses_the_import(incident: Incident) -> None:
    from secondstory.incidents.models import Milestone, MilestoneKind

    Milestone.objects.create(
        incident=incident,
        kind=MilestoneKind.objects.get(code="impact_started"),
        at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )
    with pytest.raises(ValidationError):
        run(incident, accept_milestones=["detected"])
    assert not TimelineEvent.objects.filter(incident=incident).exists()


def test_left_out_events_are_not_written(incident: Incident) -> None:
    summary = run(incident, leave_out=["git:3f6a9d2c1b0e8f7a6d5c4b3a2918e7d6c5b4a392"])
    assert summary.left_out == 1
    assert summary.added == 10
    assert not TimelineEvent.objects.filter(source="git", source_ref__startswith="3f6a").exists()


def test_the_time_window_bounds_the_events(incident: Incident) -> None:
    options = ParseOptions(
        since=datetime(2026, 3, 4, 14, 5, tzinfo=UTC),
        until=datetime(2026, 3, 4, 14, 15, tzinfo=UTC),
    )
    summary = import_events(incident, ImportRequest(mixed_inputs(), options=options))
    stored = TimelineEvent.objects.filter(incident=incident)
    assert summary.added == stored.count() > 0
    assert all(
        datetime(2026, 3, 4, 14, 5, tzinfo=UTC) <= e.at <= datetime(2026, 3, 4, 14, 15, tzinfo=UTC)
        for e in stored
    )


def test_the_import_is_kept_in_each_postmortems_history(incident: Incident, alice: User) -> None:
    postmortem = Postmortem.objects.create(
        key="PM-42", title="Checkout errors", owner=alice, created_at=timezone.now()
    )
    postmortem.incidents.add(incident)
    run(incident, by=alice)
    revision = postmortem.revisions.order_by("-number").first()
    assert revision is not None
    assert revision.summary == "Imported 11 timeline events"
    assert revision.author == alice


def test_a_users_file_given_beside_api_pages_is_read_with_them(incident: Incident) -> None:
    folder = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "slack_api"
    inputs = [
        Source(folder / "history-C05INCORD.json", "C05INCORD.json"),
        Source(folder / "users-list.json", "users-list.json"),
    ]
    summary = run(incident, inputs)
    assert summary.formats == [("C05INCORD.json", "slack_api")]
    assert summary.skipped == [
        ("users-list.json", "Slack users, read with the message pages beside them")
    ]
    assert summary.added == 6
    actors = set(TimelineEvent.objects.filter(incident=incident).values_list("actor", flat=True))
    assert {"Dara Okafor", "Kofi Mensah"} <= actors


def test_a_users_file_alone_says_what_to_give(incident: Incident) -> None:
    folder = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "slack_api"
    with pytest.raises(SourceError, match="holds Slack users"):
        run(incident, [Source(folder / "users-list.json", "users-list.json")])
    assert not TimelineEvent.objects.exists()
