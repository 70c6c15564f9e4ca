"""Assembling postmortem records from a plan: the base demo and the benchmark stream.

A *plan* fixes what a record is about (theme, severity, age, status, keys);
``build_record`` turns it into a ``PostmortemRecord`` with its own seeded RNG,
so every record depends only on its plan, the seed and ``today``.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from secondstory.core.demo import organisation as org
from secondstory.core.demo.context import (
    Cast,
    incident_facts,
    milestones,
    pick_cast,
    pick_options,
)
from secondstory.core.demo.followup import build_factors, build_items
from secondstory.core.demo.lifecycle import transitions
from secondstory.core.demo.narrative import (
    NOT_REQUIRED_GENERIC,
    NOT_REQUIRED_REASONS,
    full_sections,
    sections_for_status,
)
from secondstory.core.demo.theme import Theme
from secondstory.core.demo.themes import THEMES, WEIGHTED_THEMES
from secondstory.core.demo.timeline import build_timeline
from secondstory.core.record import (
    ExternalReference,
    IncidentRecord,
    Milestone,
    PostmortemRecord,
)
from secondstory.core.timeline.event import TimelineEvent

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
_MILDER = {"SEV1": "SEV2", "SEV2": "SEV3", "SEV3": "SEV3", "SEV4": "SEV4"}
# Relative likelihood of an incident starting in each UTC hour.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1)
_HOUR_CUM = tuple(accumulate(_HOUR_WEIGHTS))
_THEME_CUM = tuple(accumulate(weight for _, weight in WEIGHTED_THEMES))
_NAME_TO_USER = {s.name: s.username for s in org.STAFF}

BASE_DAYS = 545  # about 18 months
STREAM_DAYS = 4 * 365
MIN_AGE = 3.0


@dataclass(frozen=True, slots=True)
class Plan:
    number: int
    key: str
    incident_keys: tuple[str, ...]
    theme: Theme
    severity: str
    age_days: float  # how long before the start of ``today`` the first incident began
    status: str
    seed: str
    blame: bool = False
    reopened: bool = False
    previous: str = ""  # the previous incident of the same theme, if any


def theme_at(u: float) -> Theme:
    """The theme at position ``u`` (0 <= u < 1) of the weighted theme distribution."""
    return THEMES[bisect.bisect_right(_THEME_CUM, u * _THEME_CUM[-1])]


def _now(today: date) -> datetime:
    return datetime.combine(today, time(0), UTC)


def _start(rng: random.Random, age_days: float, now: datetime) -> datetime:
    day = (now - timedelta(days=age_days)).date()
    hour = rng.choices(range(24), cum_weights=_HOUR_CUM)[0]
    return datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC
    )


def _fit(ms: dict[str, datetime], now: datetime) -> dict[str, datetime]:
    """Shift an incident back if it would not be resolved a few hours before ``now``."""
    limit = now - timedelta(hours=6)
    if ms["resolved"] <= limit:
        return ms
    shift = ms["resolved"] - limit
    return {kind: moment - shift for kind, moment in ms.items()}


def _external_refs(
    facts: dict[str, str], events: list[TimelineEvent], public: bool
) -> list[ExternalReference]:
    pd_id, sp_id = facts["pd_id"], facts["sp_id"]
    refs = [
        ExternalReference("pagerduty", pd_id, f"https://pagerduty.example.com/incidents/{pd_id}"),
        ExternalReference(
            "slack",
            facts["chan"],
            f"https://larkspur.slack.example.com/archives/{facts['chan_id']}",
        ),
    ]
    if public:
        refs.append(
            ExternalReference("statuspage", sp_id, f"https://status.example.com/incidents/{sp_id}")
        )
    for event in events:
        if event.source == "github":
            refs.append(ExternalReference("github", event.source_ref, event.evidence_url))
            break
    if "case" in facts:
        refs.append(ExternalReference("kestrel-pay", facts["case"]))
    return refs


def _milestones(ms: dict[str, datetime], cast: Cast) -> list[Milestone]:
    """Milestones in the offset they were recorded in: metrics in UTC, people locally."""
    ic = cast.ic or cast.oncall
    return [
        Milestone("impact_started", ms["impact_started"]),
        Milestone("detected", ms["detected"]),
        Milestone("acknowledged", ms["acknowledged"].astimezone(org.zone(cast.oncall.offset))),
        Milestone("mitigated", ms["mitigated"].astimezone(org.zone(ic.offset))),
        Milestone("resolved", ms["resolved"].astimezone(org.zone(ic.offset))),
    ]


def _tags(theme: Theme, ms: dict[str, datetime], cast: Cast, public: bool) -> list[str]:
    tags = list(theme.tags)
    if public:
        tags.append("customer-facing")
    start = ms["impact_started"]
    if start.weekday() >= 5:
        tags.append("weekend")
    local_hour = start.astimezone(org.zone(cast.oncall.offset)).hour
    if not 8 <= local_hour < 19:
        tags.append("out-of-hours")
    return tags


def build_record(plan: Plan, *, today: date) -> PostmortemRecord:
    """One postmortem, generated from its plan."""
    rng = random.Random(plan.seed)
    now = _now(today)
    theme = plan.theme
    options = pick_options(rng, theme)
    svc2 = options.get("svc2") or (rng.choice(theme.extra_services) if theme.extra_services else "")
    cast = pick_cast(rng, theme, plan.severity, svc2)
    major = plan.severity in ("SEV1", "SEV2")
    public = theme.public and (major or (plan.severity == "SEV3" and rng.random() < 0.25))
    flags = {"public"} if public else set()
    if cast.ic is not None:
        flags.add("ic")
    if public and major:
        flags.add("major")
    services = [*theme.services, *([svc2] if svc2 and svc2 not in theme.services else [])]
    teams = list(dict.fromkeys(org.SERVICE_TEAMS[s] for s in services))
    incidents: list[IncidentRecord] = []
    first_facts: dict[str, str] = {}
    tag_refs: dict[str, str] = {}
    start = _start(rng, plan.age_days, now)
    for n, inc_key in enumerate(plan.incident_keys):
        severity = plan.severity if n == 0 else _MILDER[plan.severity]
        ms = _fit(milestones(rng, theme, severity, start), now)
        facts = incident_facts(
            rng,
            theme=theme,
            severity=severity,
            cast=cast,
            options=options,
            svc2=svc2,
            inc_key=inc_key,
            ms=ms,
        )
        events, tags = build_timeline(rng, theme, ms, cast, facts, frozenset(flags))
        incidents.append(
            IncidentRecord(
                key=inc_key,
                title=rng.choice(theme.titles).format_map(facts),
                severity=severity,
                visibility=theme.visibility,
                services=list(services),
                teams=list(teams),
                tags=_tags(theme, ms, cast, public),
                external_references=_external_refs(facts, events, public),
                milestones=_milestones(ms, cast),
                timeline=events,
            )
        )
        if n == 0:
            first_facts, tag_refs = facts, tags
        start = ms["resolved"] + timedelta(days=rng.uniform(1, 5))
    last_resolved = max(i.milestones[-1].at for i in incidents)
    created = last_resolved + timedelta(hours=rng.uniform(2, 72))
    if created > now - timedelta(hours=1):
        created = last_resolved + (now - last_resolved) / 2
    created = created.astimezone(org.zone(cast.owner.offset)).replace(microsecond=0)

    status = plan.status
    reason = ""
    if status == "not_required" or plan.reopened:
        if plan.previous:
            reason = rng.choice(NOT_REQUIRED_REASONS).format(prev=plan.previous)
        else:
            reason = NOT_REQUIRED_GENERIC
    full = full_sections(
        rng, theme, first_facts, public=public, refs=incidents[0].external_references
    )
    sections = sections_for_status(rng, full, status, first_facts, plan.blame)
    factors, factor_keys = build_factors(
        rng, theme, first_facts, tag_refs, plan.severity, sparse=status == "draft"
    )
    items = build_items(
        rng,
        theme,
        first_facts,
        factor_keys,
        severity=plan.severity,
        pm_status=status,
        created=created,
        owner_team=cast.team,
        today=today,
        counter=plan.number,
    )
    steps = transitions(
        rng,
        status=status,
        cast=cast,
        created=created,
        now=now,
        reopened=plan.reopened,
        reason=reason,
    )
    owner = cast.owner.username
    facilitator = cast.facilitator.username if cast.facilitator else ""
    actors = [_NAME_TO_USER[e.actor] for i in incidents for e in i.timeline if e.actor]
    collaborators = [u for u in dict.fromkeys(actors) if u not in (owner, facilitator)]
    title = incidents[0].title
    if len(incidents) > 1:
        title += " (two occurrences)"
    record = PostmortemRecord(
        key=plan.key,
        title=title,
        owner=owner,
        status=status,
        facilitator=facilitator,
        collaborators=collaborators,
        reviewers=[r.username for r in cast.reviewers],
        not_required_reason=reason if status == "not_required" else "",
        created_at=created,
        incidents=incidents,
        sections=sections,
        factors=factors,
        action_items=items,
        transitions=steps,
    )
    names = record.usernames()
    names.update(actors)
    record.people = {u: org.BY_USERNAME[u].person() for u in sorted(names)}
    return record
