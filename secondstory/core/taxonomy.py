"""The vocabularies of the postmortem record and their defaults.

Severity scales, milestone kinds, duration metrics and the contributing-factor
taxonomy are *data*: the defaults below seed the database and admins change
them there. The fixed vocabularies (action types, priorities, statuses, the
lifecycle) are part of the domain and live here as tuples.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Severity:
    code: str
    name: str
    description: str
    rank: int  # 1 is the most severe
    slo_days: int = 60  # default due date of an action item, in days


@dataclass(frozen=True, slots=True)
class MilestoneKind:
    code: str
    name: str
    position: int  # the usual chronological order of the kinds


@dataclass(frozen=True, slots=True)
class DurationMetric:
    """A duration defined as ``end - start`` of two milestone kinds."""

    code: str
    name: str
    start: str
    end: str

    def definition(self, kind_names: dict[str, str]) -> str:
        """Say how the metric is computed.

        >>> DurationMetric("ttd", "time to detect", "impact_started", "detected").definition(
        ...     {"impact_started": "impact started", "detected": "detected"})
        'time to detect = detected − impact started'
        """
        start = kind_names.get(self.start, self.start)
        end = kind_names.get(self.end, self.end)
        return f"{self.name} = {end} − {start}"


@dataclass(frozen=True, slots=True)
class FactorCategory:
    code: str
    name: str
    description: str


DEFAULT_SEVERITIES: tuple[Severity, ...] = (
    Severity("SEV1", "Critical", "Customer-facing outage or data loss for many customers.", 1, 15),
    Severity(
        "SEV2", "Major", "Significant degradation of a core capability for many customers.", 2, 30
    ),
    Severity(
        "SEV3", "Minor", "Partial degradation with a workaround, or a few customers affected.", 3
    ),
    Severity("SEV4", "Low", "Little or no customer impact; worth learning from.", 4),
)

DEFAULT_MILESTONE_KINDS: tuple[MilestoneKind, ...] = (
    MilestoneKind("impact_started", "impact started", 10),
    MilestoneKind("detected", "detected", 20),
    MilestoneKind("acknowledged", "acknowledged", 30),
    MilestoneKind("mitigated", "mitigated", 40),
    MilestoneKind("resolved", "resolved", 50),
)

DEFAULT_DURATION_METRICS: tuple[DurationMetric, ...] = (
    DurationMetric("time_to_detect", "time to detect", "impact_started", "detected"),
    DurationMetric("time_to_acknowledge", "time to acknowledge", "detected", "acknowledged"),
    DurationMetric("time_to_mitigate", "time to mitigate", "impact_started", "mitigated"),
    DurationMetric("time_to_resolve", "time to resolve", "impact_started", "resolved"),
    DurationMetric("impact_duration", "impact duration", "impact_started", "mitigated"),
)

# The kinds whose order is an invariant: impact started <= detected <= mitigated <= resolved.
ORDERED_MILESTONES: tuple[str, ...] = ("impact_started", "detected", "mitigated", "resolved")

DEFAULT_FACTOR_CATEGORIES: tuple[FactorCategory, ...] = (
    FactorCategory("technical", "Technical", "A property of the software or hardware."),
    FactorCategory("process", "Process", "How work is planned, reviewed or carried out."),
    FactorCategory("tooling", "Tooling", "The tools people used to see and change the system."),
    FactorCategory(
        "organisational", "Organisational", "Ownership, staffing, structure, incentives."
    ),
    FactorCategory("knowledge", "Knowledge", "What people could know: docs, training, runbooks."),
    FactorCategory(
        "external_dependency", "External dependency", "A vendor, provider or upstream service."
    ),
    FactorCategory(
        "production_pressure", "Production pressure", "Deadlines, load or cost pushing trade-offs."
    ),
    FactorCategory("goal_conflict", "Goal conflict", "Two legitimate goals pulling apart."),
    FactorCategory("workaround", "Workaround", "A work-around that had become normal."),
    FactorCategory(
        "automation_surprise", "Automation surprise", "Automation did something nobody expected."
    ),
    FactorCategory("detection", "Detection", "How and how fast the problem was noticed."),
    FactorCategory("response", "Response", "How the response was coordinated and carried out."),
)

TIMELINE_KINDS: tuple[str, ...] = (
    "alert",
    "page",
    "change",
    "chat",
    "action",
    "decision",
    "observation",
    "status",
    "comms",
    "milestone",
)

VISIBILITIES: tuple[str, ...] = ("internal", "restricted")

ACTION_TYPES: tuple[str, ...] = (
    "prevent",
    "mitigate",
    "detect",
    "repair",
    "investigate",
    "process",
)
ACTION_PRIORITIES: tuple[str, ...] = ("P0", "P1", "P2")
ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "not_doing")

POSTMORTEM_STATUSES: tuple[str, ...] = (
    "draft",
    "in_review",
    "approved",
    "published",
    "not_required",
)

# The lifecycle: draft -> in review -> approved -> published, and "not required".
# Reviewers may send a review back to draft; "not required" can be reopened.
LIFECYCLE: dict[str, tuple[str, ...]] = {
    "draft": ("in_review", "not_required"),
    "in_review": ("approved", "draft"),
    "approved": ("published", "draft"),
    "published": (),
    "not_required": ("draft",),
}

# The longest text each short field holds; the database columns use the same numbers.
MAX_KEY = 100
MAX_TITLE = 300
MAX_URL = 500
MAX_SLUG = 100
MAX_SOURCE = 50
MAX_SOURCE_REF = 300
MAX_ACTOR = 150
MAX_ROLE = 100
MAX_SIGNAL = 100
MAX_SYSTEM = 50
MAX_IDENTIFIER = 200
MAX_USERNAME = 150
MAX_PERSON_NAME = 150
MAX_EMAIL = 254

# The Markdown sections of a postmortem, in document order: (field, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("background", "Background"),
    ("impact", "Impact"),
    ("detection", "Detection"),
    ("response", "Response and recovery"),
    ("trigger", "Trigger"),
    ("went_well", "What went well"),
    ("went_poorly", "What went poorly"),
    ("got_lucky", "Where we got lucky"),
    ("surprises", "Surprises"),
    ("open_questions", "Open questions"),
    ("decisions", "Decisions"),
    ("messaging", "Messaging"),
    ("supporting_links", "Supporting links"),
)
SECTION_FIELDS: tuple[str, ...] = tuple(field for field, _ in SECTIONS)


def can_transition(current: str, target: str) -> bool:
    """Whether the lifecycle allows moving from ``current`` to ``target``.

    >>> can_transition("draft", "in_review"), can_transition("draft", "published")
    (True, False)
    """
    return target in LIFECYCLE.get(current, ())
