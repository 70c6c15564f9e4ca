"""The plain data the learning-health checks read, and what each check reports.

The data layer (``secondstory.insights.health_data``) fills these rows from the
database as they stood on ``as_of``; the checks never see Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from secondstory.core.insights.health.sums import ItemSums, PairSums

Status = Literal["ok", "warn", "alarm"]
ScopeValue = str | bool
Scope = dict[str, ScopeValue]
STATUSES: tuple[Status, ...] = ("ok", "warn", "alarm")


class PostmortemRow(NamedTuple):
    """One postmortem as it stood on ``as_of``.

    ``started`` is the earliest milestone of its incidents (when the failure
    began), ``resolved`` the latest ``resolved`` milestone (or the latest
    milestone when none is marked resolved).

    A named tuple, not a dataclass: tens of thousands are made per computation, and a
    frozen dataclass costs several times as much to make.
    """

    key: str
    teams: tuple[str, ...]
    services: tuple[str, ...]
    created: datetime
    started: datetime | None = None
    resolved: datetime | None = None
    published: datetime | None = None
    not_required: datetime | None = None
    restricted: bool = False
    words: int = 0
    blame_findings: int = 0
    factors: int = 0
    person_factors: int = 0


@dataclass(frozen=True, slots=True)
class FactorRow:
    """One contributing factor, with the services and start of its postmortem's incidents."""

    id: int
    postmortem: str
    category: str
    services: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One action item as it stood on ``as_of`` (``completed`` is None if not done by then)."""

    id: int
    postmortem: str
    teams: tuple[str, ...]
    priority: str
    due: date
    status: str  # open, in_progress, done or not_doing (as of the date)
    created: datetime
    completed: datetime | None = None
    title: str = ""
    factors: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One month of the organisation (``start`` inclusive, ``end`` exclusive, as dates)."""

    start: date
    end: date
    incidents: int
    closed: int  # action items completed in the month
    backlog: int  # open action items at the end of the month


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """One review's learning check with at least 3 answers: how many answered, and how many
    answered "it felt safe to speak" at or below 3 (never who)."""

    postmortem: str
    teams: tuple[str, ...]
    opened: datetime
    answers: int
    unsafe: int


@dataclass(frozen=True, slots=True)
class HealthData:
    """Everything the checks read. Rows cover the checks' windows before ``as_of``."""

    as_of: date
    teams: tuple[str, ...]
    postmortems: tuple[PostmortemRow, ...] = ()
    factors: tuple[FactorRow, ...] = ()
    items: tuple[ItemRow, ...] = ()
    months: tuple[MonthRow, ...] = ()
    recent_keys: tuple[str, ...] = ()  # postmortems of the last month, newest first
    surveys: tuple[SurveyRow, ...] = ()  # learning checks opened in the window
    #: The items and factors already summed (``sums``, ``facts``); None: count ``items`` and
    #: ``factors``. Given, they carry the reviewer's person-targeted judgement already.
    item_sums: tuple[ItemSums, ...] | None = None
    pairs: tuple[PairSums, ...] | None = None
    #: Rows grouped once for every check that reads them (``common.team_postmortems``).
    grouped: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check on one scope: the contract of ``secondstory health --format json``."""

    id: str
    status: Status
    scope: Scope
    value: float | None
    threshold: float
    evidence: list[str] = field(default_factory=list)
    suggestion: str = ""
    detail: str = ""  # one line saying what the value means, for text and pages

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "scope": dict(self.scope),
            "value": self.value,
            "threshold": self.threshold,
            "evidence": list(self.evidence),
            "suggestion": self.suggestion,
        }
