"""What the parser accepts and how it reports problems."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest

from secondstory.core.exchange import (
    ExchangeError,
    LocatedProblem,
    parse_postmortem,
    render_postmortem,
)
from secondstory.core.invariants import Vocabulary
from secondstory.core.record import PostmortemRecord
from tests.core.exchange.helpers import FRONT, document, minimal_record, record_with_event

EVENT = """\
  timeline:
  - at: 2026-03-04T14:02:00+01:00
    kind: alert
    source: pagerduty
    ref: Q1
    text: Error rate above 5 %
"""


def _problems(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(ExchangeError) as caught:
        parse_postmortem(text, source="pm.md", **kwargs)  # type: ignore[arg-type]
    return str(caught.value).split("\n")


def _event_record(extra: str) -> PostmortemRecord:
    return parse_postmortem(document(EVENT + extra))


def test_minimal_document() -> None:
    assert parse_postmortem(document()) == minimal_record()


def test_utc_z_is_accepted() -> None:
    text = document(EVENT.replace("+01:00", "Z"))
    at = parse_postmortem(text).incidents[0].timeline[0].at
    assert at.utcoffset() == timedelta(0)
    assert "- at: 2026-03-04T14:02:00+00:00\n" in render_postmortem(parse_postmortem(text))


@pytest.mark.parametrize("value", ["2026-03-04T14:02:00", "2026-03-04 14:02", "2026-03-04"])
def test_naive_datetimes_are_refused(value: str) -> None:
    problems = _problems(document(f"created_at: {value}\n"))
    assert problems == [
        f"pm.md:10: created_at: {value!r} has no UTC offset, so the time is ambiguous; "
        "add the offset it was recorded in, e.g. +01:00, or Z for UTC"
    ]


def test_garbage_datetime() -> None:
    assert _problems(document("created_at: last tuesday\n")) == [
        "pm.md:10: created_at: expected an ISO 8601 date and time such as "
        "2026-03-04T14:02:00+01:00, got 'last tuesday'"
    ]


def test_scalars_are_read_as_written() -> None:
    text = (
        "---\nsecondstory: 1\nkey: 0123\ntitle: yes\nowner: 1e3\nfacilitator: ~\n"
        "collaborators: [on, 2026-03-04, 0x1F]\nincidents:\n"
        "- {key: 12, title: 'null', severity: SEV2}\n---\n"
    )
    record = parse_postmortem(text)
    assert (record.key, record.title, record.owner, record.facilitator) == (
        "0123",
        "yes",
        "1e3",
        "",
    )
    assert record.collaborators == ["on", "2026-03-04", "0x1F"]
    assert (record.incidents[0].key, record.incidents[0].title) == ("12", "null")


def test_booleans_must_be_true_or_false() -> None:
    assert _event_record("    starred: True\n").incidents[0].timeline[0].starred is True
    problems = _problems(document(EVENT + "    known_at_the_time: 'false'\n"))
    assert problems == [
        "pm.md:16: incidents[0].timeline[0].known_at_the_time: expected true or false, got 'false'"
    ]


def test_raw_payload_uses_json_types() -> None:
    raw = (
        _event_record(
            "    raw: {a: on, b: 012, c: 1_000, d: 1.5, e: -3, f: true, g: ~, h: '7', "
            "i: [1, x], j: 2026-03-04, k: {}}\n"
        )
        .incidents[0]
        .timeline[0]
        .raw
    )
    assert raw == {
        "a": "on",
        "b": "012",
        "c": "1_000",
        "d": 1.5,
        "e": -3,
        "f": True,
        "g": None,
        "h": "7",
        "i": [1, "x"],
        "j": "2026-03-04",
        "k": {},
    }
    assert isinstance(raw["e"], int) and isinstance(raw["d"], float)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("    raw: [1, 2]\n", "expected a mapping (a JSON object)"),
        (
            "    raw: !!binary aGVsbG8=\n",
            "unsupported value 'aGVsbG8=' (tag tag:yaml.org,2002:binary)",
        ),
    ],
)
def test_raw_payload_problems(line: str, message: str) -> None:
    assert _problems(document(EVENT + line)) == [
        f"pm.md:16: incidents[0].timeline[0].raw: {message}"
    ]


def test_unknown_duplicate_and_missing_keys() -> None:
    text = "---\nsecondstory: 1\nkey: PM-1\nkey: PM-2\ntitel: Oops\nincidents: []\n---\n"
    assert _problems(text) == [
        "pm.md:2: title: missing required key 'title'",
        "pm.md:2: owner: missing required key 'owner'",
        "pm.md:4: key: duplicate key 'key'",
        "pm.md:5: titel: unknown key 'titel'; expected one of: secondstory, key, title, status, "
        "owner, facilitator, collaborators, reviewers, not_required_reason, created_at, people, "
        "incidents, factors, action_items, transitions, game_day, sections",
    ]


def test_duplicate_milestone_is_a_duplicate_key() -> None:
    text = document(
        "  milestones:\n"
        "    detected: 2026-03-04T14:09:00+01:00\n"
        "    detected: 2026-03-04T14:10:00+01:00\n"
    )
    assert _problems(text) == [
        "pm.md:12: incidents[0].milestones.detected: duplicate key 'detected'"
    ]


def test_missing_version() -> None:
    assert _problems("---\nkey: PM-1\ntitle: T\nowner: o\n---\n")[0] == (
        "pm.md:2: secondstory: missing required key 'secondstory'"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\n---\n", "pm.md:2: front_matter: the front matter is empty"),
        ("---\n# only a comment\n---\n", "pm.md:2: front_matter: the front matter is empty"),
        ("---\n- a list\n---\n", "pm.md:2: front_matter: expected a mapping, got a list"),
        ("", "pm.md:1: front_matter: missing front matter"),
        ("---\nsecondstory: 1\n", "pm.md:1: front_matter: the front matter is never closed"),
        ("---\nkey: [unclosed\n---\n", "pm.md:3: front_matter: invalid YAML"),
        ("---\nkey: a\n  bad: indent\n---\n", "pm.md:3: front_matter: invalid YAML"),
        (
            "---\nkey: a\ntitle: \x07bell\n---\n",
            "pm.md:3: front_matter: invalid YAML: the character '\\x07' is not allowed",
        ),
    ],
)
def test_document_level_problems(text: str, expected: str) -> None:
    problems = _problems(text)
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_crlf_and_bom_are_accepted() -> None:
    text = render_postmortem(minimal_record(sections={"summary": "One.\nTwo."}))
    windows = "\ufeff" + text.replace("\n", "\r\n")
    assert parse_postmortem(windows) == parse_postmortem(text)


def test_body_is_normalised() -> None:
    body = "\n\n\n##   Summary  ##\n\n\n   It broke.  \n\n## Impact\n\n## Trigger\nNo blank line.\n"
    record = parse_postmortem(document(body=body))
    assert record.sections == {"summary": "It broke.", "trigger": "No blank line."}


def test_fences_protect_heading_lines() -> None:
    body = (
        "## Summary\n\n````markdown\n```\n## Impact\n```\n````\n\n"
        "~~~\n## Trigger\n~~~\n\n## Impact\n\nReal impact.\n"
    )
    record = parse_postmortem(document(body=body))
    assert (
        record.sections["summary"]
        == "````markdown\n```\n## Impact\n```\n````\n\n~~~\n## Trigger\n~~~"
    )
    assert record.sections["impact"] == "Real impact."


def test_unknown_heading_and_stray_text() -> None:
    body = "Hello.\n\n## Summary\n\nOk.\n\n## Timeline\n\nx\n"
    problems = _problems(document(body=body))
    assert problems[0] == (
        "pm.md:11: sections: text before the first section heading; "
        "start each section with '## <Heading>'"
    )
    assert problems[1].startswith(
        "pm.md:17: sections: unknown section heading 'Timeline'; expected one of: Summary, "
    )


def test_invariant_problems_point_at_values() -> None:
    text = document("  visibility: secret\n" + EVENT.replace("kind: alert", "kind: rumour"))
    text = text.replace("owner: ines\n", "owner: ines\nstatus: not_required\n")
    assert _problems(text) == [
        "pm.md:2: not_required_reason: a postmortem marked not required needs a reason",
        "pm.md:11: incidents[0].visibility: unknown visibility 'secret'; "
        "expected one of: internal, restricted",
        "pm.md:14: incidents[0].timeline[0].kind: unknown event kind 'rumour'; expected one of: "
        "action, alert, change, chat, comms, decision, milestone, observation, page, status",
    ]


def test_missing_values_point_at_the_parent_mapping() -> None:
    text = document(
        "  timeline: []\n"
        "factors:\n- key: f1\n  category: technical\n  description: Pool too small.\n"
        "  events: [pagerduty:Q9]\n"
        "action_items:\n- key: AI-1\n  title: Fix\n  type: prevent\n  priority: P1\n"
        "  owner: lena\n  due: 2026-04-01\n  status: done\n  factors: [f2]\n"
    )
    assert _problems(text) == [
        "pm.md:15: factors[0].events[0]: no timeline event 'pagerduty:Q9'",
        "pm.md:17: action_items[0].completed_at: a done action item needs completed_at",
        "pm.md:24: action_items[0].factors[0]: no contributing factor with key 'f2'",
    ]


def test_timeline_source_ref_is_called_ref() -> None:
    text = document(EVENT + EVENT.replace("  timeline:\n", ""))
    assert _problems(text) == [
        "pm.md:19: incidents[0].timeline[1].ref: "
        "duplicate source reference 'pagerduty:Q1' in incident INC-1"
    ]


def test_sections_problems_point_at_heading_or_key() -> None:
    text = document("sections:\n  lessons: Learned.\n", body="## Summary\n\nOk.\n")
    assert _problems(text) == ["pm.md:11: sections.lessons: unknown section 'lessons'"]


def test_vocabulary_is_configurable() -> None:
    text = FRONT.replace("SEV2", "S1") + "---\n"
    assert _problems(text)[0].startswith("pm.md:9: incidents[0].severity: unknown severity 'S1'")
    vocab = Vocabulary(severities=frozenset({"S1", "S2"}))
    assert parse_postmortem(text, vocab=vocab).incidents[0].severity == "S1"


def test_exchange_error_shape() -> None:
    problems = [
        LocatedProblem("a.md", 9, "title", "second"),
        LocatedProblem("a.md", 3, "key", "first"),
    ]
    error = ExchangeError(problems)
    assert [problem.line for problem in error.problems] == [3, 9]
    assert str(error) == "a.md:3: key: first\na.md:9: title: second"
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems and str(copy) == str(error)


def test_round_trip_of_awkward_strings() -> None:
    awkward = [
        "",
        " ",
        "\n",
        "\n\n",
        "a\n",
        "a\n\n",
        " a\nb",
        "a \nb",
        "a\n b",
        "tab\there",
        "line\x85next",
        "line\u2028sep",
        "para\u2029sep",
        "cr\ronly",
        "crlf\r\nhere",
        "\ufeffbom",
        "# not a comment",
        "- not a list",
        "key: value",
        "'single'",
        '"double"',
        "---",
        "...",
        "a\n---\nb",
        "x" * 100,  # longer than any line width, within every limit
        "🚀 Ünïcödé 日本語",
    ]
    for value in awkward:
        record = record_with_event(text=value, actor_role=value, raw={value: value})
        record.title = value
        if value.strip("\n"):
            record.sections = {"summary": value, "impact": value}
        text = render_postmortem(record)
        try:
            parsed = parse_postmortem(text)
        except ExchangeError as error:  # only the empty title may be refused
            assert value.strip() == "", (value, str(error))
            continue
        assert parsed == record, value
        assert render_postmortem(parsed) == text, value


def test_a_nul_byte_is_written_but_refused_on_reading() -> None:
    """The renderer escapes it faithfully; no database can store it, so loading refuses it."""
    record = record_with_event(text="nul\x00byte")
    text = render_postmortem(record)
    assert '"nul\\0byte"' in text
    assert _problems(text)[0].endswith(
        "timeline[0].text: contains a NUL character (\\x00) "
        "at position 4, which PostgreSQL cannot store"
    )


def test_a_left_out_timeline_is_not_an_empty_one() -> None:
    """Without ``timeline:`` the stored events stay, so a factor may point at one of them."""
    text = document(
        "factors:\n- key: f1\n  category: technical\n  description: Pool too small.\n"
        "  events: [pagerduty:Q9]\n"
    )
    record = parse_postmortem(text)
    assert "timeline" in record.incidents[0].omitted
    assert record.factors[0].events == ["pagerduty:Q9"]
    assert "timeline" not in parse_postmortem(document("  timeline: []\n")).incidents[0].omitted


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "9999-12-31T23:59:59-14:00",
            "9999-12-31T23:59:59-14:00 is out of range; "
            "in UTC it must fall between 0001-01-02 and 9999-12-30",
        ),
        (
            "0001-01-01T00:30:00+01:00",
            "0001-01-01T00:30:00+01:00 is out of range; "
            "in UTC it must fall between 0001-01-02 and 9999-12-30",
        ),
        (
            "2026-03-04T14:02:00+23:59",
            "the UTC offset +23:59 is out of range; it must be less than 16 hours either way",
        ),
        (
            "2026-03-04T14:02:00-16:00",
            "the UTC offset -16:00 is out of range; it must be less than 16 hours either way",
        ),
    ],
)
def test_moments_every_database_stores(value: str, message: str) -> None:
    text = document(
        f"  milestones:\n    detected: 2026-03-04T14:02:00+01:00\n    resolved: {value}\n"
    )
    assert _problems(text) == [f"pm.md:12: incidents[0].milestones.resolved: {message}"]


def test_offsets_just_inside_the_range_are_accepted() -> None:
    record = parse_postmortem(document("created_at: 2026-03-04T14:02:00+15:59\n"))
    assert record.created_at is not None
    assert record.created_at.utcoffset() == timedelta(hours=15, minutes=59)


def test_nul_and_lone_surrogates_are_refused_with_their_place() -> None:
    text = document(EVENT.replace("Error rate above 5 %", '"Error\\0rate"'))
    text = text.replace("title: Checkout errors", 'title: "Check\\udc80out"')
    assert _problems(text) == [
        "pm.md:4: title: contains a lone surrogate ('\\udc80') at position 6, "
        "which is not a Unicode character",
        "pm.md:15: incidents[0].timeline[0].text: contains a NUL character (\\x00) at "
        "position 6, which PostgreSQL cannot store",
    ]


def test_raw_payloads_every_database_stores() -> None:
    text = document(EVENT + "    raw:\n      value: .inf\n")
    assert _problems(text) == [
        "pm.md:17: incidents[0].timeline[0].raw.value: inf is not a finite number; "
        "PostgreSQL's JSON cannot store it",
    ]


def test_a_reference_listed_twice_is_refused() -> None:
    """The database keeps one reference per system and id; a file with two was a crash."""
    reference = "  - system: pagerduty\n    id: Q1\n"
    text = document("  external_references:\n" + reference + reference)
    assert _problems(text) == [
        "pm.md:14: incidents[0].external_references[1].id: reference pagerduty:Q1 appears twice"
    ]


def test_the_lifecycle_history_is_oldest_first() -> None:
    """The database keeps the history in time order: a file out of order came back broken."""
    text = document(
        "status: approved\ntransitions:\n"
        "- {from: draft, to: in_review, by: ines, at: 2026-03-09T17:05:00+01:00}\n"
        "- {from: in_review, to: approved, by: ines, at: 2026-03-09T16:00:00+01:00}\n"
    )
    assert _problems(text) == [
        "pm.md:13: transitions[1].at: this step (2026-03-09T16:00:00+01:00) is before the one "
        "above it (2026-03-09T17:05:00+01:00); the history is listed oldest first"
    ]
