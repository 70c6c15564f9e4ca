"""The invariants of the postmortem record, checked on plain data.

One set of rules serves every way in: the exchange-format loader (which maps a
problem's path to a file line), the demo generator's self-check, and the model
layer. Each problem names the field it is about as a path such as
``("incidents", 0, "milestones", 1, "at")``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from secondstory.core import taxonomy
from secondstory.core.gamedays.record import game_day_problems
from secondstory.core.limits import limit_problems
from secondstory.core.record import ActionItemRecord, IncidentRecord, Milestone, PostmortemRecord
from secondstory.core.storable import moment_problem, storable_problems

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    message: str

    @property
    def field(self) -> str:
        """The path as a dotted field name, e.g. ``incidents[0].milestones[1].at``."""
        return format_path(self.path)


@dataclass(frozen=True, slots=True)
class OrderProblem(Problem):
    """Milestone ``later`` at ``later_at`` is before ``earlier`` at ``earlier_at``."""

    earlier: str = ""
    later: str = ""
    earlier_at: datetime | None = None
    later_at: datetime | None = None


def format_path(path: Path) -> str:
    """``("incidents", 0, "severity")`` -> ``incidents[0].severity``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The configurable vocabularies a record is checked against."""

    severities: frozenset[str] = field(
        default_factory=lambda: frozenset(s.code for s in taxonomy.DEFAULT_SEVERITIES)
    )
    milestone_kinds: frozenset[str] = field(
        default_factory=lambda: frozenset(k.code for k in taxonomy.DEFAULT_MILESTONE_KINDS)
    )
    factor_categories: frozenset[str] = field(
        default_factory=lambda: frozenset(c.code for c in taxonomy.DEFAULT_FACTOR_CATEGORIES)
    )


def _choice(value: str, allowed: Iterable[str], what: str) -> str | None:
    allowed = sorted(allowed)
    if value in allowed:
        return None
    return f"unknown {what} {value!r}; expected one of: {', '.join(allowed)}"


def _naive(moment: datetime | None) -> str | None:
    """A problem message when ``moment`` has no UTC offset (its instant is unknown)."""
    if moment is None or moment.utcoffset() is not None:
        return None
    return f"{moment.isoformat()} has no UTC offset"


def milestone_order_problems(milestones: Sequence[Milestone], note: str) -> list[Problem]:
    """Impact started <= detected <= mitigated <= resolved, unless a note explains why not."""
    if note.strip():
        return []
    index = {m.kind: i for i, m in enumerate(milestones)}
    present = [k for k in taxonomy.ORDERED_MILESTONES if k in index]
    problems: list[Problem] = []
    for earlier, later in itertools.pairwise(present):
        a, b = milestones[index[earlier]], milestones[index[later]]
        if _naive(a.at) or _naive(b.at) or moment_problem(a.at) or moment_problem(b.at):
            continue  # reported as a problem of its own; such moments do not compare
        if b.at < a.at:
            problems.append(
                OrderProblem(
                    ("milestones", index[later], "at"),
                    f"{later} ({b.at.isoformat()}) is before {earlier} ({a.at.isoformat()}); "
                    "fix the times or add a milestone_order_note explaining why",
                    earlier=earlier,
                    later=later,
                    earlier_at=a.at,
                    later_at=b.at,
                )
            )
    return problems


def incident_problems(incident: IncidentRecord, vocab: Vocabulary) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: Path, message: str | None) -> None:
        if message:
            problems.append(Problem(path, message))

    add(("key",), None if incident.key.strip() else "an incident needs a key")
    add(("title",), None if incident.title.strip() else "an incident needs a title")
    add(("severity",), _choice(incident.severity, vocab.severities, "severity"))
    add(("visibility",), _choice(incident.visibility, taxonomy.VISIBILITIES, "visibility"))
    seen_references: set[tuple[str, str]] = set()
    for i, reference in enumerate(incident.external_references):
        identity = (reference.system, reference.identifier)
        if identity in seen_references:
            add(
                ("external_references", i, "identifier"),
                f"reference {reference.system}:{reference.identifier} appears twice",
            )
        seen_references.add(identity)
    seen_kinds: set[str] = set()
    for i, milestone in enumerate(incident.milestones):
        add(("milestones", i, "kind"), _choice(milestone.kind, vocab.milestone_kinds, "milestone"))
        add(("milestones", i, "at"), _naive(milestone.at))
        if milestone.kind in seen_kinds:
            add(("milestones", i, "kind"), f"milestone {milestone.kind!r} appears twice")
        seen_kinds.add(milestone.kind)
    for problem in milestone_order_problems(incident.milestones, incident.milestone_order_note):
        problems.append(problem)
    seen_refs: set[str] = set()
    for i, event in enumerate(incident.timeline):
        add(("timeline", i, "kind"), _choice(event.kind, taxonomy.TIMELINE_KINDS, "event kind"))
        add(("timeline", i, "at"), _naive(event.at))
        add(("timeline", i, "source"), None if event.source.strip() else "an event needs a source")
        if not event.source_ref.strip():
            add(("timeline", i, "source_ref"), "an event needs a source reference")
        elif event.ref in seen_refs:
            add(
                ("timeline", i, "source_ref"),
                f"duplicate source reference {event.ref!r} in incident {incident.key}",
            )
        seen_refs.add(event.ref)
    return problems


def action_item_problems(item: ActionItemRecord, factor_keys: set[str]) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: Path, message: str | None) -> None:
        if message:
            problems.append(Problem(path, message))

    add(("title",), None if item.title.strip() else "an action item needs a title")
    add(("type",), _choice(item.type, taxonomy.ACTION_TYPES, "action type"))
    add(("priority",), _choice(item.priority, taxonomy.ACTION_PRIORITIES, "priority"))
    add(("status",), _choice(item.status, taxonomy.ACTION_STATUSES, "action status"))
    add(("owner",), None if item.owner.strip() else "an action item needs exactly one owner")
    if item.status == "not_doing" and not item.reason.strip():
        add(("reason",), "an action item that is not being done needs a reason")
    add(("completed_at",), _naive(item.completed_at))
    if item.status == "done" and item.completed_at is None:
        add(("completed_at",), "a done action item needs completed_at")
    if item.status in ("open", "in_progress") and item.completed_at is not None:
        add(("completed_at",), f"an action item that is {item.status} has no completed_at")
    for i, key in enumerate(item.factors):
        if key not in factor_keys:
            add(("factors", i), f"no contributing factor with key {key!r}")
    return problems


def publication_problems(record: PostmortemRecord) -> list[Problem]:
    """What a postmortem still lacks before it can be published."""
    return publication_gaps(
        summary=record.sections.get("summary", ""),
        has_factors=bool(record.factors),
        # An omitted timeline keeps the stored events: the loader checks those.
        has_events=any(incident.timeline for incident in record.incidents)
        or any("timeline" in incident.omitted for incident in record.incidents),
    )


def publication_gaps(*, summary: str, has_factors: bool, has_events: bool) -> list[Problem]:
    """The rule of :func:`publication_problems` on the three facts it asks about, for a
    caller that reads those without building the whole record (the postmortem page)."""
    problems = []
    if not summary.strip():
        problems.append(Problem(("sections", "summary"), "a published postmortem needs a summary"))
    if not has_factors:
        problems.append(
            Problem(("factors",), "a published postmortem needs at least one contributing factor")
        )
    if not has_events:
        problems.append(
            Problem(("incidents",), "a published postmortem needs at least one timeline event")
        )
    return problems


def transition_problems(record: PostmortemRecord) -> list[Problem]:
    problems = []
    expected_from = "draft"
    previous: datetime | None = None
    for i, step in enumerate(record.transitions):
        naive = _naive(step.at)
        if naive:
            problems.append(Problem(("transitions", i, "at"), naive))
        elif not moment_problem(step.at):
            if previous is not None and step.at < previous:
                problems.append(
                    Problem(
                        ("transitions", i, "at"),
                        f"this step ({step.at.isoformat()}) is before the one above it "
                        f"({previous.isoformat()}); the history is listed oldest first",
                    )
                )
            previous = step.at
        if step.from_status != expected_from:
            problems.append(
                Problem(
                    ("transitions", i, "from"),
                    f"this step starts from {step.from_status!r}, "
                    f"but the postmortem was {expected_from!r}",
                )
            )
        elif not taxonomy.can_transition(step.from_status, step.to_status):
            problems.append(
                Problem(
                    ("transitions", i, "to"),
                    f"the lifecycle does not allow {step.from_status} -> {step.to_status}",
                )
            )
        expected_from = step.to_status
    if record.transitions and expected_from != record.status:
        problems.append(
            Problem(
                ("status",),
                f"status is {record.status!r} but the transitions end at {expected_from!r}",
            )
        )
    return problems


def postmortem_problems(record: PostmortemRecord, vocab: Vocabulary | None = None) -> list[Problem]:
    """Every invariant the record breaks; an empty list means it is valid."""
    vocab = vocab or Vocabulary()
    problems: list[Problem] = []
    if not record.key.strip():
        problems.append(Problem(("key",), "a postmortem needs a key"))
    if not record.title.strip():
        problems.append(Problem(("title",), "a postmortem needs a title"))
    if not record.owner.strip():
        problems.append(Problem(("owner",), "a postmortem needs exactly one owner"))
    status_problem = _choice(record.status, taxonomy.POSTMORTEM_STATUSES, "status")
    if status_problem:
        problems.append(Problem(("status",), status_problem))
    naive = _naive(record.created_at)
    if naive:
        problems.append(Problem(("created_at",), naive))
    if record.status == "not_required" and not record.not_required_reason.strip():
        problems.append(
            Problem(("not_required_reason",), "a postmortem marked not required needs a reason")
        )
    if not record.incidents:
        problems.append(Problem(("incidents",), "a postmortem is linked to at least one incident"))
    for name in record.sections:
        if name not in taxonomy.SECTION_FIELDS:
            problems.append(Problem(("sections", name), f"unknown section {name!r}"))
    incident_keys: set[str] = set()
    event_refs: set[str] = set()
    for i, incident in enumerate(record.incidents):
        if incident.key in incident_keys:
            problems.append(Problem(("incidents", i, "key"), f"incident {incident.key} twice"))
        incident_keys.add(incident.key)
        event_refs.update(event.ref for event in incident.timeline)
        problems += [
            Problem(("incidents", i, *p.path), p.message)
            for p in incident_problems(incident, vocab)
        ]
    # With a timeline left out, a factor may point at a stored event: the loader checks.
    timeline_omitted = any("timeline" in incident.omitted for incident in record.incidents)
    factor_keys: set[str] = set()
    for i, factor in enumerate(record.factors):
        if not factor.key.strip():
            problems.append(Problem(("factors", i, "key"), "a factor needs a key"))
        elif factor.key in factor_keys:
            problems.append(Problem(("factors", i, "key"), f"factor key {factor.key!r} not unique"))
        factor_keys.add(factor.key)
        category = _choice(factor.category, vocab.factor_categories, "factor category")
        if category:
            problems.append(Problem(("factors", i, "category"), category))
        if not factor.description.strip():
            problems.append(Problem(("factors", i, "description"), "a factor needs a description"))
        for j, ref in enumerate(factor.events):
            if ref not in event_refs and not timeline_omitted:
                problems.append(Problem(("factors", i, "events", j), f"no timeline event {ref!r}"))
    item_keys: set[str] = set()
    for i, item in enumerate(record.action_items):
        if not item.key.strip():
            problems.append(Problem(("action_items", i, "key"), "an action item needs a key"))
        elif item.key in item_keys:
            problems.append(
                Problem(("action_items", i, "key"), f"action item key {item.key!r} not unique")
            )
        item_keys.add(item.key)
        problems += [
            Problem(("action_items", i, *p.path), p.message)
            for p in action_item_problems(item, factor_keys)
        ]
    problems += transition_problems(record)
    if record.game_day is not None:
        problems += [
            Problem(("game_day", *path), message)
            for path, message in game_day_problems(
                record.game_day, vocab.factor_categories, None if timeline_omitted else event_refs
            )
        ]
    problems += [Problem(path, message) for path, message in limit_problems(record)]
    problems += [Problem(path, message) for path, message in storable_problems(record)]
    if record.status == "published":
        problems += publication_problems(record)
    return problems
