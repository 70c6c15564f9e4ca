"""Multi-source incident timelines: the common backbone plus a theme's own steps."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from secondstory.core.demo.context import ORDER, Cast
from secondstory.core.demo.organisation import zone
from secondstory.core.demo.theme import Step, Theme
from secondstory.core.timeline.event import TimelineEvent

MAX_EVENTS = 20

DEFAULT_DETECTION = Step(
    anchor="detected",
    lo=0,
    hi=0,
    kind="alert",
    source="alertmanager",
    tag="alert",
    texts=(
        "[FIRING] {alert} ({svc}, severity=page)",
        "[FIRING:1] {alert} for {svc} in production",
    ),
)

# Steps every incident may have. Tagged ones are never trimmed.
BACKBONE: tuple[Step, ...] = (
    Step(
        anchor="~detected",
        lo=0.05,
        hi=0.4,
        kind="page",
        source="pagerduty",
        role="oncall",
        tag="page",
        texts=(
            "Paged {oncall} ({svc} primary on-call)",
            "Triggered: {alert}; assigned to {oncall} via the {svc} escalation policy",
        ),
    ),
    Step(
        anchor="acknowledged",
        lo=0,
        hi=0,
        kind="page",
        source="pagerduty",
        role="oncall",
        tag="ack",
        texts=("Acknowledged by {oncall}",),
    ),
    Step(
        anchor="acknowledged",
        lo=0.5,
        hi=4,
        kind="chat",
        source="slack",
        role="oncall",
        texts=(
            "ack, looking at {svc} now",
            "got the page. the {metric} graph for {svc} is way off, digging in",
            "on it. opening the {svc_name} dashboard",
            "here. anyone else seeing this or just the alert?",
        ),
    ),
    Step(
        anchor="~acknowledged",
        lo=0.02,
        hi=0.12,
        kind="decision",
        source="slack",
        role="ic",
        when="ic",
        tag="declare",
        texts=(
            "Declaring a {sev}. I'm IC; {oncall_first} stays on {svc}. Updates here every "
            "15 minutes.",
            "This is a {sev}, I'll take IC. {oncall_first} keeps debugging, {sre_first} please "
            "join {chan}.",
            "Opening {chan} for this, {sev}. IC: me. Scribe: {comms_first}.",
        ),
    ),
    Step(
        anchor="~acknowledged",
        lo=0.12,
        hi=0.3,
        kind="status",
        source="statuspage",
        role="comms",
        when="public",
        tag="status",
        texts=(
            "Investigating — Some customers may have trouble {symptom}. We are looking into it.",
            "Investigating — We are aware of problems with {symptom} and are investigating.",
        ),
    ),
    Step(
        anchor="~acknowledged",
        lo=0.2,
        hi=0.5,
        kind="comms",
        source="slack",
        role="comms",
        when="major",
        tag="support",
        texts=(
            "#support heads-up: customers may have trouble {symptom}. The status page is "
            "updated; please link it in replies.",
            "#support: known issue with {symptom}, macro 'incident-in-progress' is ready",
        ),
    ),
    Step(
        anchor="mitigated",
        lo=0,
        hi=0,
        kind="milestone",
        source="incident-bot",
        role="ic",
        tag="mitigated",
        texts=("{ic} marked the incident mitigated", "Incident {inc} set to mitigated by {ic}"),
    ),
    Step(
        anchor="mitigated",
        lo=1,
        hi=8,
        kind="observation",
        source="slack",
        role="oncall",
        tag="recovery",
        texts=(
            "{metric} back to normal and holding",
            "graphs look normal again; keeping the channel open for a bit",
            "recovered. no new errors for five minutes",
        ),
    ),
    Step(
        anchor="mitigated",
        lo=4,
        hi=15,
        kind="status",
        source="statuspage",
        role="comms",
        when="public",
        texts=("Monitoring — A fix is in place and we are watching the results.",),
    ),
    Step(
        anchor="~mitigated",
        lo=0.3,
        hi=0.9,
        kind="status",
        source="statuspage",
        role="comms",
        when="public",
        texts=("Resolved — This incident has been resolved. Thank you for your patience.",),
    ),
    Step(
        anchor="resolved",
        lo=0,
        hi=0,
        kind="chat",
        source="slack",
        role="ic",
        tag="resolved",
        texts=(
            "Closing this out. Thanks all — {owner_first} will pull the postmortem together.",
            "Resolved. Follow-ups go in the postmortem; {owner_first} owns it.",
        ),
    ),
)

# Sources whose timestamps are machine-recorded in UTC.
_UTC_SOURCES = frozenset(
    {"alertmanager", "argo", "github", "grafana", "loki", "kubernetes", "terraform", "airflow"}
)


_STEPS: dict[str, tuple[Step, ...]] = {}


def _steps(theme: Theme) -> tuple[Step, ...]:
    """The candidate steps of a theme's incidents, in definition order (cached)."""
    steps = _STEPS.get(theme.code)
    if steps is None:
        candidates = (theme.detection or DEFAULT_DETECTION, *BACKBONE, *theme.steps)
        steps = tuple(s for s in candidates if not (s.tag and s.tag in theme.skip))
        _STEPS[theme.code] = steps
    return steps


def _anchors() -> dict[str, tuple[str, str]]:
    """Step anchor -> (milestone kind, the next milestone kind for ``~`` anchors)."""
    table: dict[str, tuple[str, str]] = {}
    for i, kind in enumerate(ORDER):
        following = ORDER[i + 1] if i + 1 < len(ORDER) else ""
        for name in (kind, "impact") if kind == "impact_started" else (kind,):
            table[name] = (kind, "")
            table[f"~{name}"] = (kind, following)
    return table


_ANCHORS = _anchors()


def _at(rng: random.Random, step: Step, ms: dict[str, datetime]) -> datetime:
    """When a step happens; whole seconds, since milestones are whole seconds."""
    kind, following = _ANCHORS[step.anchor]
    base = ms[kind]
    u = step.lo + (step.hi - step.lo) * rng.random()
    if step.anchor[0] == "~":
        span = (ms[following] - base).total_seconds() if following else 3600.0
        return base + timedelta(seconds=int(span * u))
    return base + timedelta(seconds=int(u * 60))


def _ref(rng: random.Random, step: Step, at: datetime, facts: dict[str, str]) -> str:
    source = step.source
    if step.ref:
        return step.ref.format_map(facts)
    if source == "slack":
        return f"{facts['chan_id']}/p{int(at.timestamp())}{int(rng.random() * 1e6):06d}"
    if source == "pagerduty":
        return f"{facts['pd_id']}/log/R{rng.getrandbits(40):010X}"
    if source == "statuspage":
        return f"{facts['sp_id']}/updates/{rng.getrandbits(32):08x}"
    if source == "alertmanager":
        return f"{rng.getrandbits(64):016x}"
    if source == "incident-bot":
        return f"{facts['inc']}/{rng.getrandbits(32):08x}"
    return f"{source}-{rng.getrandbits(40):010x}"


def build_timeline(
    rng: random.Random,
    theme: Theme,
    ms: dict[str, datetime],
    cast: Cast,
    facts: dict[str, str],
    flags: frozenset[str],
) -> tuple[list[TimelineEvent], dict[str, str]]:
    """The incident's events in time order, and ``tag -> event.ref`` for factors."""
    made: list[tuple[datetime, str, TimelineEvent, str]] = []
    seen: set[str] = set()
    roles = cast.roles()
    random = rng.random
    for step in _steps(theme):
        if step.when and step.when not in flags:
            continue
        if step.chance < 1 and random() >= step.chance:
            continue
        utc = _at(rng, step, ms)
        source = step.source
        person, label = roles[step.role] if step.role else (None, "")
        offset = person.offset if person and source not in _UTC_SOURCES else 0
        texts = step.texts
        text = texts[0] if len(texts) == 1 else texts[int(random() * len(texts))]
        ref = _ref(rng, step, utc, facts)
        full = f"{source}:{ref}"
        if full in seen:
            k = 2
            while f"{full}-{k}" in seen:
                k += 1
            ref, full = f"{ref}-{k}", f"{full}-{k}"
        seen.add(full)
        if step.url:
            url = step.url.format_map(facts)
        elif source == "slack":
            url = f"https://larkspur.slack.example.com/archives/{ref}"
        else:
            url = ""
        event = TimelineEvent(
            utc.astimezone(zone(offset)) if offset else utc,
            step.kind,
            source,
            ref,
            text.format_map(facts),
            person.name if person else "",
            label,
            step.star,
            step.known,
            url,
        )
        made.append((utc, full, event, step.tag))
    while len(made) > MAX_EVENTS:
        optional = [i for i, entry in enumerate(made) if not entry[3]]
        if not optional:
            break
        del made[rng.choice(optional)]
    made.sort(key=_first)
    tags: dict[str, str] = {}
    for _, full, _, tag in made:
        if tag and tag not in tags:
            tags[tag] = full
    return [entry[2] for entry in made], tags


def _first(entry: tuple[datetime, str, TimelineEvent, str]) -> datetime:
    return entry[0]
