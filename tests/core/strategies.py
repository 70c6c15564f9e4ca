"""Hypothesis strategies for plain-data postmortem records.

``postmortem_records()`` generates records that are valid per
``secondstory.core.invariants`` with the default vocabulary: several
incidents, Unicode and multi-line text, datetimes at odd offsets (+05:30,
-08:00, +00:00, ...) with and without microseconds, empty optional fields,
JSON-like ``raw`` payloads, and section texts that need the front matter
(leading whitespace, heading lines, unclosed fences).
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from secondstory.core import taxonomy
from secondstory.core.record import (
    ActionItemRecord,
    ExternalReference,
    FactorRecord,
    IncidentRecord,
    Milestone,
    Person,
    PostmortemRecord,
    Transition,
)
from secondstory.core.timeline.event import TimelineEvent

# -- scalars -----------------------------------------------------------------------

# Any character a database stores as text: not NUL, not a lone surrogate.
characters = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))

COMMON_OFFSETS = (0, 60, 120, -300, -480, 330, 345, -210, 525, 840, -720)
# Every offset both databases store: less than 16 hours either way (core.storable).
offsets = st.one_of(st.sampled_from(COMMON_OFFSETS), st.integers(-(16 * 60 - 1), 16 * 60 - 1))
timezones = offsets.map(lambda minutes: timezone(timedelta(minutes=minutes)))

_moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=timezones
)
# Half of them on whole seconds, so both forms (with and without microseconds) occur.
aware_datetimes = st.one_of(_moments, _moments.map(lambda moment: moment.replace(microsecond=0)))
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))

# Values YAML would read as something other than a string if written unquoted.
YAML_LOOKALIKES = ("yes", "no", "on", "null", "~", "true", "0042", "1:30", "1e3", "2026-03-04", "-")
handles = st.one_of(
    st.text(string.ascii_lowercase + string.digits + "-_.", min_size=1, max_size=12),
    st.sampled_from(YAML_LOOKALIKES),
    st.text(characters, min_size=1, max_size=12),
).filter(lambda value: value.strip() != "")

# Slugs (services, teams, tags) and usernames have a form of their own.
slugs = st.one_of(
    st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=12),
    st.sampled_from([v for v in YAML_LOOKALIKES if re.fullmatch(r"[-a-zA-Z0-9_]+", v)]),
)
usernames = st.one_of(
    st.from_regex(r"[\w.@+-]{1,12}", fullmatch=True),
    st.sampled_from([v for v in YAML_LOOKALIKES if re.fullmatch(r"[\w.@+-]+", v)]),
)

any_text = st.text(characters, max_size=40)
optional_text = st.one_of(st.just(""), any_text)
line_text = st.text(characters, min_size=1, max_size=40).filter(lambda value: value.strip() != "")

MARKDOWN_SNIPPETS = (
    "A plain paragraph of prose.",
    "- a bullet",
    "1. a numbered item",
    "### A sub-heading",
    "## Summary",
    "## Not a known section",
    "   ## indented heading ##",
    "```",
    "```python",
    "~~~",
    "````",
    "    indented code",
    "",
    " ",
    "\t",
    "> a quote",
    "---",
    "...",
    "| a | b |",
    "Ünïcödé — 日本語 — 🚀",
    "trailing space ",
    "key: value",
    "'single' and \"double\"",
    "#hashtag",
    "<b>inline html</b>",
)
markdown_text = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_SNIPPETS), any_text), min_size=1, max_size=8
).map("\n".join)
multiline_text = st.one_of(markdown_text, any_text)
section_text = multiline_text.filter(lambda value: value != "")


def _json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(characters, max_size=20),
        st.sampled_from(YAML_LOOKALIKES),
    )


json_values = st.recursive(
    _json_scalars(),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(characters, max_size=10), children, max_size=3),
    ),
    max_leaves=12,
)
raw_payloads = st.one_of(
    st.none(), st.dictionaries(st.text(characters, max_size=12), json_values, max_size=4)
)

# -- record parts ------------------------------------------------------------------


@st.composite
def lifecycles(draw: st.DrawFn, usernames: list[str]) -> tuple[str, list[Transition]]:
    """A status and a legal chain of transitions, oldest first, ending at it (or none)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(taxonomy.POSTMORTEM_STATUSES)), []
    status = "draft"
    steps: list[Transition] = []
    for _ in range(draw(st.integers(1, 5))):
        options = taxonomy.LIFECYCLE[status]
        if not options:
            break
        target = draw(st.sampled_from(options))
        steps.append(
            Transition(
                from_status=status,
                to_status=target,
                by=draw(st.sampled_from(usernames)),
                at=draw(aware_datetimes),
                note=draw(optional_text),
            )
        )
        status = target
    # The history is oldest first: hand the drawn moments out in time order.
    for step, moment in zip(steps, sorted(step.at for step in steps), strict=True):
        step.at = moment
    return status, steps


@st.composite
def milestones(draw: st.DrawFn) -> tuple[list[Milestone], str]:
    """Milestones in any record order, in the usual time order unless a note explains."""
    kinds = [kind.code for kind in taxonomy.DEFAULT_MILESTONE_KINDS]
    chosen = draw(st.lists(st.sampled_from(kinds), unique=True, max_size=len(kinds)))
    times = draw(st.lists(aware_datetimes, min_size=len(chosen), max_size=len(chosen)))
    note = draw(st.one_of(st.just(""), line_text))
    if not note.strip():
        chosen.sort(key=kinds.index)
        times.sort()
    result = [Milestone(kind, at) for kind, at in zip(chosen, times, strict=True)]
    return draw(st.permutations(result)), note


@st.composite
def timeline_events(draw: st.DrawFn) -> TimelineEvent:
    return TimelineEvent(
        at=draw(aware_datetimes),
        kind=draw(st.sampled_from(taxonomy.TIMELINE_KINDS)),
        source=draw(handles),
        source_ref=draw(handles),
        text=draw(multiline_text),
        actor=draw(st.one_of(st.just(""), handles)),
        actor_role=draw(optional_text),
        starred=draw(st.booleans()),
        known_at_the_time=draw(st.booleans()),
        evidence_url=draw(st.one_of(st.just(""), st.just("https://logs.example.com/q?id=1#x"))),
        raw=draw(raw_payloads),
    )


@st.composite
def incidents(draw: st.DrawFn, key: str, min_events: int = 0) -> IncidentRecord:
    marks, note = draw(milestones())
    return IncidentRecord(
        key=key,
        title=draw(line_text),
        severity=draw(st.sampled_from([s.code for s in taxonomy.DEFAULT_SEVERITIES])),
        visibility=draw(st.sampled_from(taxonomy.VISIBILITIES)),
        services=draw(st.lists(slugs, max_size=3)),
        teams=draw(st.lists(slugs, max_size=2)),
        tags=draw(st.lists(slugs, max_size=3)),
        external_references=draw(
            st.lists(
                st.builds(
                    ExternalReference,
                    system=handles,
                    identifier=handles,
                    url=st.one_of(st.just(""), st.just("https://tracker.example.com/INC-1")),
                ),
                max_size=2,
                unique_by=lambda reference: (reference.system, reference.identifier),
            )
        ),
        milestones=marks,
        milestone_order_note=note,
        timeline=draw(
            st.lists(timeline_events(), min_size=min_events, max_size=4, unique_by=lambda e: e.ref)
        ),
    )


@st.composite
def action_items(
    draw: st.DrawFn, key: str, usernames: list[str], factor_keys: list[str]
) -> ActionItemRecord:
    status = draw(st.sampled_from(taxonomy.ACTION_STATUSES))
    completed_at: datetime | None = None
    if status == "done" or (status == "not_doing" and draw(st.booleans())):
        completed_at = draw(aware_datetimes)
    return ActionItemRecord(
        key=key,
        title=draw(line_text),
        type=draw(st.sampled_from(taxonomy.ACTION_TYPES)),
        priority=draw(st.sampled_from(taxonomy.ACTION_PRIORITIES)),
        owner=draw(st.sampled_from(usernames)),
        due=draw(dates),
        status=status,
        reason=draw(line_text if status == "not_doing" else optional_text),
        done_criterion=draw(optional_text),
        tracker_url=draw(st.one_of(st.just(""), st.just("https://tracker.example.com/OPS-12"))),
        factors=draw(st.lists(st.sampled_from(factor_keys), max_size=2)) if factor_keys else [],
        completed_at=completed_at,
    )


# -- the record --------------------------------------------------------------------


@st.composite
def postmortem_records(draw: st.DrawFn) -> PostmortemRecord:
    """A postmortem record that ``invariants.postmortem_problems`` accepts."""
    people_names = draw(st.lists(usernames, min_size=1, max_size=5, unique=True))
    status, transitions = draw(lifecycles(people_names))
    published = status == "published"

    incident_keys = draw(st.lists(handles, min_size=1, max_size=3, unique=True))
    incident_list = [
        draw(incidents(key, min_events=1 if published and i == 0 else 0))
        for i, key in enumerate(incident_keys)
    ]
    refs = [event.ref for incident in incident_list for event in incident.timeline]

    factor_keys = draw(st.lists(handles, min_size=1 if published else 0, max_size=3, unique=True))
    factors = [
        FactorRecord(
            key=key,
            category=draw(st.sampled_from([c.code for c in taxonomy.DEFAULT_FACTOR_CATEGORIES])),
            description=draw(line_text),
            evidence=draw(optional_text),
            events=draw(st.lists(st.sampled_from(refs), max_size=2)) if refs else [],
        )
        for key in factor_keys
    ]
    item_keys = draw(st.lists(handles, max_size=3, unique=True))
    items = [draw(action_items(key, people_names, factor_keys)) for key in item_keys]

    sections = draw(st.dictionaries(st.sampled_from(taxonomy.SECTION_FIELDS), section_text))
    if published and not sections.get("summary", "").strip():
        sections["summary"] = draw(line_text)

    people = {
        name: Person(name, draw(line_text), draw(st.one_of(st.just(""), st.emails())))
        for name in people_names
        if draw(st.booleans())
    }
    return PostmortemRecord(
        key=draw(handles),
        title=draw(line_text),
        owner=draw(st.sampled_from(people_names)),
        status=status,
        facilitator=draw(st.one_of(st.just(""), st.sampled_from(people_names))),
        collaborators=draw(st.lists(st.sampled_from(people_names), max_size=3, unique=True)),
        reviewers=draw(st.lists(st.sampled_from(people_names), max_size=2, unique=True)),
        not_required_reason=draw(line_text if status == "not_required" else optional_text),
        created_at=draw(st.one_of(st.none(), aware_datetimes)),
        incidents=incident_list,
        sections=sections,
        factors=factors,
        action_items=items,
        transitions=transitions,
        people=people,
    )
