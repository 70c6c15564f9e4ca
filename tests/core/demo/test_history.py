"""The base demo: deterministic, valid, and showing everything the product can show."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from secondstory.core import taxonomy
from secondstory.core.demo import demo_organisation, demo_postmortems
from secondstory.core.demo.followup import due_days
from secondstory.core.invariants import postmortem_problems
from secondstory.core.record import PostmortemRecord

from .helpers import all_text, has_blame, milestone_map


def test_is_deterministic(records: list[PostmortemRecord], today: date) -> None:
    assert demo_postmortems(today=today) == records
    assert demo_postmortems(today=today, seed=8) != records


def test_keys_depend_on_the_seed_only(records: list[PostmortemRecord], today: date) -> None:
    later = demo_postmortems(today=today + timedelta(days=100))
    assert [r.key for r in later] == [r.key for r in records]
    assert [[i.key for i in r.incidents] for r in later] == [
        [i.key for i in r.incidents] for r in records
    ]


def test_size_and_keys(records: list[PostmortemRecord]) -> None:
    assert 60 <= len(records) <= 70
    keys = [r.key for r in records]
    assert keys == [f"PM-{i:04d}" for i in range(1, len(records) + 1)]
    incidents = [i.key for r in records for i in r.incidents]
    assert len(set(incidents)) == len(incidents)
    assert incidents[0] == "INC-0001"


def test_every_record_is_valid(records: list[PostmortemRecord]) -> None:
    for record in records:
        assert postmortem_problems(record) == [], record.key


def test_spread_over_eighteen_months(records: list[PostmortemRecord], today: date) -> None:
    starts = [milestone_map(i)["impact_started"].date() for r in records for i in r.incidents]
    assert min(starts) >= today - timedelta(days=550)
    assert max(starts) < today
    assert min(starts) < today - timedelta(days=450)
    assert sum(s > today - timedelta(days=30) for s in starts) >= 5


def test_every_status_and_severity(records: list[PostmortemRecord]) -> None:
    statuses = Counter(r.status for r in records)
    assert set(statuses) == set(taxonomy.POSTMORTEM_STATUSES)
    assert statuses["published"] > len(records) / 2
    severities = Counter(i.severity for r in records for i in r.incidents)
    assert set(severities) == {"SEV1", "SEV2", "SEV3", "SEV4"}
    assert severities["SEV1"] < severities["SEV2"] < severities["SEV3"]
    assert severities["SEV3"] == max(severities.values())


def test_recent_postmortems_are_more_often_drafts(records: list[PostmortemRecord]) -> None:
    recent, older = records[-10:], records[:-10]
    early = ("draft", "in_review")
    assert sum(r.status in early for r in recent) / 10 > sum(
        r.status in early for r in older
    ) / len(older)


def test_not_required_has_a_reason_and_is_minor(records: list[PostmortemRecord]) -> None:
    skipped = [r for r in records if r.status == "not_required"]
    assert skipped
    for record in skipped:
        assert record.not_required_reason.strip()
        assert record.incidents[0].severity == "SEV4"


def test_transitions_chain_from_draft_in_time(records: list[PostmortemRecord], today: date) -> None:
    sent_back = 0
    for record in records:
        assert record.created_at is not None
        previous = record.created_at
        for step in record.transitions:
            assert step.at >= previous
            assert step.at.date() <= today
            assert step.by in record.people
            previous = step.at
        if record.status != "draft":
            assert record.transitions, record.key
        sent_back += any(s.to_status == "draft" for s in record.transitions)
    assert sent_back >= 1


def test_milestones_in_order_with_offsets(records: list[PostmortemRecord]) -> None:
    offsets = set()
    for record in records:
        for incident in record.incidents:
            ms = milestone_map(incident)
            assert list(ms) == [k.code for k in taxonomy.DEFAULT_MILESTONE_KINDS]
            at = list(ms.values())
            assert at == sorted(at), incident.key
            offsets.update(m.at.utcoffset() for m in incident.milestones)
            offsets.update(e.at.utcoffset() for e in incident.timeline)
    hours = {o.total_seconds() / 3600 for o in offsets if o is not None}
    assert {0, 1, 5.5} <= hours
    assert hours & {-8, -5}


def test_timelines(records: list[PostmortemRecord]) -> None:
    learned_later = starred = 0
    for record in records:
        for incident in record.incidents:
            events = incident.timeline
            assert 8 <= len(events) <= 20, incident.key
            assert [e.utc for e in events] == sorted(e.utc for e in events)
            assert events[0].at < milestone_map(incident)["impact_started"], incident.key
            sources = {e.source for e in events}
            assert {"pagerduty", "slack"} <= sources
            assert len(sources) >= 4
            assert {e.kind for e in events} <= set(taxonomy.TIMELINE_KINDS)
            assert any(e.actor and e.actor_role for e in events)
            learned_later += sum(not e.known_at_the_time for e in events)
            starred += sum(e.starred for e in events)
    assert learned_later >= len(records)
    assert starred >= len(records)


def test_chat_comes_from_people(records: list[PostmortemRecord]) -> None:
    names = {p.name for p in demo_organisation().people}
    for record in records:
        for incident in record.incidents:
            for event in incident.timeline:
                if event.source == "slack":
                    assert event.actor in names


def test_factors_link_to_events(records: list[PostmortemRecord]) -> None:
    for record in records:
        assert 2 <= len(record.factors) <= 5, record.key
        assert any(f.events for f in record.factors)
        if record.status != "draft":
            assert all(f.evidence for f in record.factors), record.key


def test_themes_recur(records: list[PostmortemRecord]) -> None:
    pairs: Counter[tuple[str, str]] = Counter()
    tag_sets: Counter[frozenset[str]] = Counter()
    for record in records:
        incident = record.incidents[0]
        pairs.update({(f.category, s) for f in record.factors for s in incident.services})
        tag_sets[frozenset(incident.tags[:3])] += 1
    assert max(pairs.values()) >= 3
    assert sum(count >= 3 for count in pairs.values()) >= 8
    assert sum(count >= 3 for count in tag_sets.values()) >= 8


def test_siblings_are_similar_but_not_identical(records: list[PostmortemRecord]) -> None:
    by_tags: dict[tuple[str, ...], list[PostmortemRecord]] = {}
    for record in records:
        by_tags.setdefault(tuple(record.incidents[0].tags[:3]), []).append(record)
    for siblings in by_tags.values():
        summaries = [r.sections.get("summary", "") for r in siblings if r.status == "published"]
        summaries = [s for s in summaries if s]
        if len(summaries) >= 2:
            assert len(set(summaries)) == len(summaries)


def test_action_items(records: list[PostmortemRecord], today: date) -> None:
    statuses: Counter[str] = Counter()
    overdue = late = on_time = 0
    usernames = {p.username for p in demo_organisation().people}
    for record in records:
        assert 1 <= len(record.action_items) <= 5
        assert record.created_at is not None
        severity = record.incidents[0].severity
        for item in record.action_items:
            statuses[item.status] += 1
            assert item.title[0].isupper()
            assert item.factors
            assert item.owner in usernames
            days = due_days(severity, item.priority)
            assert item.due == record.created_at.date() + timedelta(days=days)
            if item.status in ("open", "in_progress") and item.due < today:
                overdue += 1
            if item.status == "done":
                assert item.completed_at is not None
                assert item.completed_at.date() < today
                if item.completed_at.date() > item.due:
                    late += 1
                else:
                    on_time += 1
            if item.status == "not_doing":
                assert item.reason.strip()
    assert set(statuses) == set(taxonomy.ACTION_STATUSES)
    assert overdue and late and on_time


def test_sections_by_status(records: list[PostmortemRecord]) -> None:
    for record in records:
        names = set(record.sections)
        if record.status in ("approved", "published"):
            assert {"summary", "impact", "detection", "response", "trigger"} <= names
            assert {"went_well", "went_poorly", "surprises"} <= names
            assert "source:" in record.sections["impact"]
    drafts = [len(r.sections) for r in records if r.status == "draft"]
    published = [len(r.sections) for r in records if r.status == "published"]
    assert max(drafts) < min(published)


def test_blame_language_only_in_a_few_recent_drafts(records: list[PostmortemRecord]) -> None:
    blamed = [r for r in records if has_blame(r)]
    assert 3 <= len(blamed) <= 5
    assert all(r.status == "draft" for r in blamed)
    assert all(r in records[-10:] for r in blamed)


def test_visibility_and_references(records: list[PostmortemRecord]) -> None:
    visibility = Counter(i.visibility for r in records for i in r.incidents)
    assert 2 <= visibility["restricted"] <= len(records) // 8
    for record in records:
        for incident in record.incidents:
            assert incident.services and incident.teams and incident.tags
            systems = {ref.system for ref in incident.external_references}
            assert "pagerduty" in systems
    assert any(
        ref.system == "statuspage" and ref.url.startswith("https://status.example.com/")
        for r in records
        for i in r.incidents
        for ref in i.external_references
    )


def test_links_stay_on_fictional_domains(records: list[PostmortemRecord]) -> None:
    for record in records:
        for url in _urls(record):
            host = url.split("/")[2]
            assert host == "example.com" or host.endswith(".example.com"), url


def test_some_postmortems_cover_two_incidents(records: list[PostmortemRecord]) -> None:
    assert 2 <= sum(len(r.incidents) == 2 for r in records) <= 6
    assert all(1 <= len(r.incidents) <= 2 for r in records)


def test_people_cover_every_username(records: list[PostmortemRecord]) -> None:
    org = {p.username: p for p in demo_organisation().people}
    for record in records:
        assert record.usernames() <= set(record.people)
        for username, person in record.people.items():
            assert person == org[username]


def test_no_template_placeholders_left(records: list[PostmortemRecord]) -> None:
    for record in records:
        text = all_text(record)
        assert "{" not in text and "}" not in text, record.key


def _urls(record: PostmortemRecord) -> list[str]:
    urls = [a.tracker_url for a in record.action_items if a.tracker_url]
    for incident in record.incidents:
        urls += [r.url for r in incident.external_references if r.url]
        urls += [e.evidence_url for e in incident.timeline if e.evidence_url]
    return urls
