"""``secondstory load``: nothing it was not given is lost, every file gets an outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from secondstory.core.exchange import render_postmortem
from secondstory.core.record import FactorRecord, IncidentRecord, PostmortemRecord
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems import exchange
from secondstory.postmortems.exchange import export_all, file_name, load_paths
from secondstory.postmortems.models import Postmortem, Revision
from secondstory.postmortems.records import load_record, record_for
from tests.apps.factories import incident_record, postmortem_record


def new_postmortem(key: str = "PM-NEW", incident: IncidentRecord | None = None) -> PostmortemRecord:
    """A second postmortem covering PM-1's incident, as a file would list it."""
    shared = incident or incident_record("INC-PM-1")
    return PostmortemRecord(
        key=key, title="Another look", owner="alice", incidents=[shared], people={}
    )


def write(tmp_path: Path, name: str, record: PostmortemRecord) -> Path:
    path = tmp_path / name
    path.write_text(render_postmortem(record), encoding="utf-8")
    return path


def outcomes(report: exchange.LoadReport) -> list[tuple[str, str]]:
    return [(o.path.name, o.outcome) for o in report.outcomes]


def links_of(postmortem: Postmortem) -> list[str]:
    return sorted(e.ref for f in postmortem.factors.all() for e in f.events.all())


@pytest.mark.django_db
def test_an_incident_listed_without_a_timeline_keeps_its_events(
    tmp_path: Path, postmortem: Postmortem
) -> None:
    """The reported loss: a new postmortem naming a published one's incident emptied it."""
    Postmortem.objects.filter(pk=postmortem.pk).update(status="published")
    events = sorted(TimelineEvent.objects.values_list("source_ref", flat=True))
    links = links_of(postmortem)
    shared = replace(incident_record("INC-PM-1"), timeline=[])
    report = load_paths([write(tmp_path, "new.md", new_postmortem(incident=shared))])
    assert outcomes(report) == [("new.md", "created")]
    assert sorted(TimelineEvent.objects.values_list("source_ref", flat=True)) == events
    assert links_of(postmortem) == links == ["github:deploy-881"]
    assert Postmortem.objects.get(key="PM-NEW").incidents.get().key == "INC-PM-1"


@pytest.mark.django_db
def test_a_shared_incident_is_merged_never_emptied(tmp_path: Path, postmortem: Postmortem) -> None:
    shared = incident_record("INC-PM-1")
    added = EventData(datetime(2026, 3, 4, 16, 0, tzinfo=UTC), "observation", "manual", "n1", "x")
    shared.timeline = [added]
    record = new_postmortem(incident=shared)
    record.factors = [FactorRecord("G1", "process", "Noticed late", events=["manual:n1"])]
    report = load_paths([write(tmp_path, "new.md", record)])
    assert outcomes(report) == [("new.md", "created")]
    incident = Incident.objects.get(key="INC-PM-1")
    assert incident.timeline.count() == 5  # four of PM-1 and the one added
    assert links_of(postmortem) == ["github:deploy-881"]
    assert links_of(Postmortem.objects.get(key="PM-NEW")) == ["manual:n1"]


@pytest.mark.django_db
def test_a_factor_may_point_at_a_stored_event_of_a_left_out_timeline(
    tmp_path: Path, postmortem: Postmortem
) -> None:
    record = new_postmortem(incident=replace(incident_record("INC-PM-1"), timeline=[]))
    record.factors = [
        FactorRecord("G1", "process", "Deploy unreviewed", events=["github:deploy-881"])
    ]
    record.incidents[0].omitted = frozenset({"timeline"})
    assert outcomes(load_paths([write(tmp_path, "new.md", record)])) == [("new.md", "created")]
    assert links_of(Postmortem.objects.get(key="PM-NEW")) == ["github:deploy-881"]

    record.factors[0].events = ["github:nowhere"]
    report = load_paths([write(tmp_path, "new.md", record)])
    assert outcomes(report) == [("new.md", "refused")]
    assert (
        ": factors[0].events[0]: no timeline event 'github:nowhere'" in report.outcomes[0].message
    )


@pytest.mark.django_db
def test_a_conflicting_definition_of_a_shared_incident_is_refused(
    tmp_path: Path, postmortem: Postmortem
) -> None:
    shared = replace(incident_record("INC-PM-1"), title="Renamed", severity="SEV1", timeline=[])
    path = write(tmp_path, "new.md", new_postmortem(incident=shared))
    report = load_paths([path])
    assert outcomes(report) == [("new.md", "refused")]
    message = report.outcomes[0].message
    assert (
        f"{path}:9: incidents[0].title: incident INC-PM-1 is also covered by postmortem PM-1, "
        "where its title is 'Checkout returned errors after a configuration change', not "
        "'Renamed'; loading never redefines a shared incident"
    ) in message
    assert (
        f"{path}:10: incidents[0].severity: incident INC-PM-1 is also covered by postmortem PM-1"
        in message
    )
    assert not Postmortem.objects.filter(key="PM-NEW").exists()
    assert Incident.objects.get(key="INC-PM-1").title.startswith("Checkout returned errors")


@pytest.mark.django_db
def test_the_sole_postmortem_of_an_incident_may_still_replace_its_timeline(
    tmp_path: Path, postmortem: Postmortem
) -> None:
    record = record_for(postmortem)
    del record.incidents[0].timeline[1:]
    record.factors[0].events = ["github:deploy-881"]
    assert outcomes(load_paths([write(tmp_path, "pm.md", record)])) == [("pm.md", "updated")]
    assert TimelineEvent.objects.count() == 1
    assert Revision.objects.filter(postmortem=postmortem).count() == 1  # the old one is in it


@pytest.mark.django_db
def test_load_records_a_revision_for_what_it_creates_or_changes(
    tmp_path: Path, postmortem: Postmortem
) -> None:
    shared = incident_record("INC-PM-1")
    shared.timeline = [
        EventData(datetime(2026, 3, 4, 16, tzinfo=UTC), "status", "manual", "s", "ok")
    ]
    path = write(tmp_path, "new.md", new_postmortem(incident=shared))
    assert outcomes(load_paths([path])) == [("new.md", "created")]
    created = Postmortem.objects.get(key="PM-NEW")
    assert list(created.revisions.values_list("number", "summary")) == [(1, "Loaded from new.md")]
    # PM-1 saw its incident change: that is in its history too.
    assert list(postmortem.revisions.values_list("summary", flat=True)) == [
        "Incident changed by loading PM-NEW from new.md"
    ]

    assert outcomes(load_paths([path])) == [("new.md", "unchanged")]
    assert created.revisions.count() == 1

    changed = new_postmortem(incident=shared)
    changed.title = "A sharper title"
    assert outcomes(load_paths([write(tmp_path, "new.md", changed)])) == [("new.md", "updated")]
    assert created.revisions.count() == 2


@pytest.mark.django_db
def test_duplicate_keys_in_one_batch_are_refused_naming_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", postmortem_record("PM-D"))
    second = write(tmp_path, "b.md", replace(postmortem_record("PM-D"), title="Other"))
    report = load_paths([tmp_path])
    assert outcomes(report) == [("a.md", "refused"), ("b.md", "refused")]
    assert report.outcomes[0].message.startswith(
        f"{first}:3: key: postmortem PM-D is also in {second}:3; a batch holds each postmortem once"
    )
    assert f"{second}:3: key: postmortem PM-D is also in {first}:3" in report.outcomes[1].message
    assert not Postmortem.objects.exists()


@pytest.mark.django_db
def test_an_out_of_range_date_is_one_refusal_with_file_line_and_field(tmp_path: Path) -> None:
    """It used to abort the whole batch with a bare OverflowError."""
    good = write(tmp_path, "a.md", postmortem_record("PM-A"))
    text = render_postmortem(postmortem_record("PM-B"))
    text = text.replace(
        "created_at: 2026-03-05T09:00:00+00:00", "created_at: 9999-12-31T23:59:59-14:00"
    )
    bad = tmp_path / "b.md"
    bad.write_text(text, encoding="utf-8")
    report = load_paths([good, bad])
    assert outcomes(report) == [("a.md", "created"), ("b.md", "refused")]
    assert report.outcomes[1].message == (
        f"{bad}:8: created_at: 9999-12-31T23:59:59-14:00 is out of range; "
        "in UTC it must fall between 0001-01-02 and 9999-12-30"
    )
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in report.lines()


@pytest.mark.django_db
def test_an_unexpected_error_refuses_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = exchange.load_record

    def failing(record: PostmortemRecord, **kwargs: object) -> Postmortem:
        if record.key == "PM-A":
            raise OverflowError("date value out of range")
        return real(record, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exchange, "load_record", failing)
    paths = [
        write(tmp_path, "a.md", postmortem_record("PM-A")),
        write(tmp_path, "b.md", postmortem_record("PM-B")),
    ]
    report = load_paths(paths)
    assert outcomes(report) == [("a.md", "refused"), ("b.md", "created")]
    assert report.outcomes[0].message == (
        f"{paths[0]}:1: (file): could not be loaded, nothing of it was written "
        "(OverflowError: date value out of range)"
    )


@pytest.mark.django_db
def test_text_and_offsets_refused_by_one_database_are_refused_on_every_one(tmp_path: Path) -> None:
    record = postmortem_record("PM-N")
    record.incidents[0].timeline[0].text = "pasted\x00from a terminal"
    path = write(tmp_path, "n.md", record)
    report = load_paths([path])
    assert outcomes(report) == [("n.md", "refused")]
    assert ": incidents[0].timeline[0].text: contains a NUL character" in report.outcomes[0].message
    assert not Postmortem.objects.exists() and not TimelineEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [15 * 60 + 59, -(15 * 60 + 59), 5 * 60 + 45])
def test_every_offset_accepted_is_stored_and_read_back(tmp_path: Path, minutes: int) -> None:
    record = postmortem_record("PM-O")
    zone = timezone(timedelta(minutes=minutes))
    for event in record.incidents[0].timeline:
        event.at = event.at.astimezone(zone)
    path = write(tmp_path, "o.md", record)
    assert outcomes(load_paths([path])) == [("o.md", "created")]
    stored = record_for(Postmortem.objects.get(key="PM-O"))
    assert [e.at.utcoffset() for e in stored.incidents[0].timeline] == [
        timedelta(minutes=minutes)
    ] * 4
    assert outcomes(load_paths([path])) == [("o.md", "unchanged")]


@pytest.mark.django_db
def test_export_names_are_unique_and_load_back(tmp_path: Path) -> None:
    """``PM-C/1`` and ``PM-C 1`` both became ``PM-C_1.md``: one postmortem was lost."""
    for key in ("PM-C/1", "PM-C 1", "PM-C_1", "pm-c_1"):
        load_record(postmortem_record(key))
    assert export_all(tmp_path / "out") == 4
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 4 and len({n.casefold() for n in names}) == 4
    assert "PM-C_1.md" in names
    assert file_name("PM-C/1") == file_name("PM-C/1") != file_name("PM-C 1")
    report = load_paths([tmp_path / "out"])
    assert sorted(o.key for o in report.outcomes) == ["PM-C 1", "PM-C/1", "PM-C_1", "pm-c_1"]
    assert {o.outcome for o in report.outcomes} == {"unchanged"}
