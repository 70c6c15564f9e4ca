"""What an insights page covers: the organisation, one team or one service, over a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.core.insights.periods import DateRange
from secondstory.incidents.models import Incident, Service
from secondstory.insights.models import IncidentStart

DEFAULT_DAYS = 365


class ScopeError(ValueError):
    """A query-string value the page cannot use (the message names the parameter)."""


@dataclass(frozen=True, slots=True)
class Listed:
    """Only these postmortems, chosen by the caller among those of the scope's range (the
    ones no whole month holds: see ``monthly``)."""

    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Scope:
    span: DateRange
    today: date
    team: Team | None = None
    service: Service | None = None
    only: Listed | None = None

    @property
    def label(self) -> str:
        if self.team is not None:
            return f"team {self.team.name}"
        if self.service is not None:
            return f"service {self.service.name}"
        return "the organisation"

    @property
    def is_organisation(self) -> bool:
        return self.team is None and self.service is None

    @property
    def cache_parts(self) -> tuple[object, ...]:
        """Everything besides the data that the figures of this scope depend on."""
        team = None if self.team is None else self.team.pk
        service = None if self.service is None else self.service.pk
        zone = timezone.get_current_timezone_name()
        return (self.span.start, self.span.end, self.today, team, service, zone, self.only)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScopeError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}") from None


def date_range(params: dict[str, str], today: date) -> DateRange:
    """``from``/``to`` from the query string; by default the last 12 months up to today."""
    end = _day(params["to"], "to") if params.get("to") else today
    start = (
        _day(params["from"], "from")
        if params.get("from")
        else end - timedelta(days=DEFAULT_DAYS - 1)
    )
    if end < start:
        raise ScopeError(f"to: the range ends ({end}) before it starts ({start})")
    return DateRange(start, end)


def began() -> F:
    """When an incident began: its earliest milestone, else when it was recorded (kept by
    triggers in ``insights.models.IncidentStart``, with an index)."""
    return F("insights_start__began")


def bounds(span: DateRange) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(span.start, time.min, tzinfo=zone)
    end = datetime.combine(span.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def of_scope(scope: Scope, path: str = "") -> Q:
    """The incidents of the scope's team or service, not exercises, at any time (``path``
    reaches the incident from another model, e.g. ``incident__``)."""
    condition = Q(**{f"{path}is_exercise": False})
    if scope.team is not None:
        condition &= Q(**{f"{path}teams": scope.team})
    if scope.service is not None:
        condition &= Q(**{f"{path}services": scope.service})
    return condition


def incidents_in(scope: Scope) -> QuerySet[Incident]:
    """Every incident of the scope that began within the range (restricted ones included:
    the figures count them; only keys and titles are filtered per reader); game days'
    exercises are left out."""
    start, end = bounds(scope.span)
    query = Incident.objects.filter(
        insights_start__began__gte=start, insights_start__began__lt=end, is_exercise=False
    )
    # The team and the service asked of each incident of the range (the range's index on the
    # starts leads), not the other way round: SQLite would otherwise read every incident of the
    # team to keep those of one month.
    if scope.team is not None:
        teams = Incident.teams.through.objects.filter(incident_id=OuterRef("pk"))
        query = query.filter(Exists(teams.filter(team_id=scope.team.pk)))
    if scope.service is not None:
        services = Incident.services.through.objects.filter(incident_id=OuterRef("pk"))
        query = query.filter(Exists(services.filter(service_id=scope.service.pk)))
    return query


def incident_ids(scope: Scope) -> QuerySet[Any]:
    """The ids of the incidents of the scope, as a subquery; for the organisation it reads
    only the index on the starts."""
    if not scope.is_organisation:
        return incidents_in(scope).values("pk")
    start, end = bounds(scope.span)
    starts = IncidentStart.objects.filter(began__gte=start, began__lt=end)
    # A game day's exercise incident never counts (docs/game-days.md).
    return starts.filter(incident__is_exercise=False).values("incident_id")


def in_scope(scope: Scope, path: str) -> Q:
    """A filter on another model, reaching the incident through ``path`` (e.g. ``incidents``)."""
    return Q(**{f"{path}__in": incident_ids(scope)})
