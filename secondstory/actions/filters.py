"""Filters of the organisation-wide action item list, shared by the page, its CSV and the CLI.

A filter is parsed from query-string style parameters (``owner=alice&status=open``), so the
page's URL is the filter and can be shared or saved. Bad values give one message per field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.gamedays.models import Verification
from secondstory.incidents.models import Incident, Service, Severity
from secondstory.postmortems.models import LONG_TEXT, Postmortem
from secondstory.postmortems.services import visible_postmortems

OPEN_STATUSES = ("open", "in_progress")
STATUS_LABELS = dict(ActionItem.STATUS_CHOICES)
TYPE_LABELS = dict(ActionItem.TYPE_CHOICES)

# Sort keys accepted in ``sort=``; a leading "-" reverses. Ties always fall back to the
# postmortem and item keys so pages never shuffle.
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due",),
    "priority": ("priority", "due"),
    "status": ("status", "due"),
    "owner": ("owner__username", "due"),
    "created": ("created_at",),
    "postmortem": ("postmortem__key", "position"),
    "title": ("title",),
}
_TIEBREAK = ("postmortem__key", "key")

CSV_HEADER = [
    "postmortem",
    "item",
    "title",
    "type",
    "priority",
    "owner",
    "teams",
    "services",
    "severity",
    "status",
    "due",
    "completed_at",
    "overdue_days",
    "tracker_url",
    "link",
]


class FilterError(ValueError):
    """One or more filter values are not understood; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


@dataclass(frozen=True, slots=True)
class ActionFilter:
    """What the list shows. Empty strings and ``None`` mean "any"."""

    owner: str = ""
    team: str = ""
    service: str = ""
    status: str = ""
    type: str = ""
    priority: str = ""
    overdue: bool | None = None
    verified: bool | None = None  # verified by a game day
    severity: str = ""
    due_after: date | None = None
    due_before: date | None = None
    created_after: date | None = None
    created_before: date | None = None
    sort: str = "due"

    def query_string(self, **changes: object) -> str:
        """The URL query string of this filter (with ``changes``), defaults left out."""
        current = replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        for field in fields(current):
            value = getattr(current, field.name)
            if value is None or value == "" or (field.name == "sort" and value == "due"):
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            pairs.append((field.name, str(value)))
        return urlencode(pairs)

    @property
    def is_empty(self) -> bool:
        return self.query_string(sort="due") == ""


FILTER_FIELDS = tuple(f.name for f in fields(ActionFilter))


def _date(name: str, raw: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"“{raw}” is not a date; use YYYY-MM-DD"
        return None


def _choice(name: str, raw: str, allowed: Iterable[str], errors: dict[str, str]) -> str:
    allowed = tuple(allowed)
    if raw and raw not in allowed:
        errors[name] = f"“{raw}” is not one of {', '.join(allowed)}"
        return ""
    return raw


def _yes_no(name: str, raw: str, errors: dict[str, str]) -> bool | None:
    if raw.lower() in ("yes", "true", "1"):
        return True
    if raw.lower() in ("no", "false", "0"):
        return False
    if raw:
        errors[name] = f"“{raw}” is not yes or no"
    return None


def parse_filter(params: Mapping[str, str]) -> ActionFilter:
    """Read a filter from query parameters; raise FilterError naming each bad field.

    People, teams, services and severities are looked up (one query each at most) so a
    misspelt name is reported instead of silently matching nothing.
    """
    errors: dict[str, str] = {}

    def get(name: str) -> str:
        return (params.get(name) or "").strip()

    overdue = _yes_no("overdue", get("overdue"), errors)
    verified = _yes_no("verified", get("verified"), errors)
    sort = get("sort") or "due"
    if sort.removeprefix("-") not in SORTS:
        errors["sort"] = f"“{sort}” is not one of {', '.join(SORTS)} (a leading - reverses)"
        sort = "due"
    result = ActionFilter(
        owner=get("owner"),
        team=get("team"),
        service=get("service"),
        status=_choice("status", get("status"), taxonomy.ACTION_STATUSES, errors),
        type=_choice("type", get("type"), taxonomy.ACTION_TYPES, errors),
        priority=_choice("priority", get("priority").upper(), taxonomy.ACTION_PRIORITIES, errors),
        overdue=overdue,
        verified=verified,
        severity=get("severity"),
        due_after=_date("due_after", get("due_after"), errors),
        due_before=_date("due_before", get("due_before"), errors),
        created_after=_date("created_after", get("created_after"), errors),
        created_before=_date("created_before", get("created_before"), errors),
        sort=sort,
    )
    for first, last in (("due_after", "due_before"), ("created_after", "created_before")):
        start, end = getattr(result, first), getattr(result, last)
        if start and end and start > end:
            errors[last] = f"{end.isoformat()} is before {first} {start.isoformat()}"
    lookups = (
        ("owner", result.owner, User.objects.filter(username=result.owner), "no person"),
        ("team", result.team, Team.objects.filter(slug=result.team), "no team"),
        ("service", result.service, Service.objects.filter(slug=result.service), "no service"),
        ("severity", result.severity, Severity.objects.filter(code=result.severity), "no severity"),
    )
    for name, value, queryset, missing in lookups:
        if value and not queryset.exists():
            errors[name] = f"{missing} called “{value}”"
    if errors:
        raise FilterError(errors)
    return result


def visible_items(user: User | None) -> QuerySet[ActionItem]:
    """The action items of postmortems ``user`` may read; every item when ``user`` is None."""
    items = ActionItem.objects.all()
    if user is None:
        return items
    return items.filter(postmortem__in=visible_postmortems(user))


def _incident_with(**lookups: object) -> Exists:
    return Exists(Incident.objects.filter(postmortems=OuterRef("postmortem_id"), **lookups))


def overdue_q(today: date) -> Q:
    return Q(status__in=OPEN_STATUSES, due__lt=today)


def apply_filter(
    items: QuerySet[ActionItem], flt: ActionFilter, today: date, *, with_status: bool = True
) -> QuerySet[ActionItem]:
    """Narrow ``items`` to the filter. Team, service and severity are the incident's.

    ``with_status=False`` leaves the status out (for the counts per status).
    """
    if flt.owner:
        items = items.filter(owner__username=flt.owner)
    if flt.team:
        items = items.filter(_incident_with(teams__slug=flt.team))
    if flt.service:
        items = items.filter(_incident_with(services__slug=flt.service))
    if flt.severity:
        items = items.filter(_incident_with(severity__code=flt.severity))
    if flt.status and with_status:
        items = items.filter(status=flt.status)
    if flt.type:
        items = items.filter(type=flt.type)
    if flt.priority:
        items = items.filter(priority=flt.priority)
    if flt.overdue is True:
        items = items.filter(overdue_q(today))
    elif flt.overdue is False:
        items = items.exclude(overdue_q(today))
    verified = Exists(Verification.objects.filter(item=OuterRef("pk")))
    if flt.verified is True:
        items = items.filter(verified)
    elif flt.verified is False:
        items = items.exclude(verified)
    if flt.due_after:
        items = items.filter(due__gte=flt.due_after)
    if flt.due_before:
        items = items.filter(due__lte=flt.due_before)
    if flt.created_after:
        items = items.filter(created_at__date__gte=flt.created_after)
    if flt.created_before:
        items = items.filter(created_at__date__lte=flt.created_before)
    return items


_POSTMORTEM_TEXT = tuple(f"postmortem__{name}" for name in LONG_TEXT)


def ordered(
    items: QuerySet[ActionItem], flt: ActionFilter, *, incidents: bool = True
) -> QuerySet[ActionItem]:
    """Sort by the filter's column and fetch what a row shows in a fixed number of queries
    (``incidents=False``: not the postmortems' incidents, which ``rows_for`` reads itself)."""
    descending = flt.sort.startswith("-")
    columns = SORTS[flt.sort.removeprefix("-")]
    order = [f"-{c}" if descending else c for c in columns] + list(_TIEBREAK)
    listed = (
        items.select_related("postmortem", "owner")
        # A row shows the postmortem's key, never its sections: those stay in the database.
        .defer(*_POSTMORTEM_TEXT)
        .prefetch_related(
            Prefetch("verifications", queryset=Verification.objects.select_related("game_day"))
        )
        .order_by(*order)
    )
    if not incidents:
        return listed
    related = (
        Incident.objects.select_related("severity")
        .only("key", "severity__code", "severity__rank")
        .prefetch_related(
            Prefetch("teams", queryset=Team.objects.only("slug")),
            Prefetch("services", queryset=Service.objects.only("slug")),
        )
    )
    return listed.prefetch_related(
        Prefetch("postmortem__incidents", queryset=related.order_by("key"))
    )


def status_counts(items: QuerySet[ActionItem]) -> dict[str, int]:
    """How many items per status (every status present, zeros included), in one query."""
    counts = dict.fromkeys(taxonomy.ACTION_STATUSES, 0)
    grouped = items.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    for status, n in grouped:
        counts[status] = counts.get(status, 0) + n
    return counts


@dataclass(frozen=True, slots=True)
class Row:
    """One action item as the list, the CSV and the CLI show it."""

    item: ActionItem
    teams: list[str]
    services: list[str]
    severity: str
    overdue_days: int

    @property
    def owner_name(self) -> str:
        return str(self.item.owner.name)

    def values(self, link: str) -> list[str]:
        item = self.item
        return [
            item.postmortem.key,
            item.key,
            item.title,
            item.type,
            item.priority,
            item.owner.username,
            " ".join(self.teams),
            " ".join(self.services),
            self.severity,
            item.status,
            item.due.isoformat(),
            item.completed_at.isoformat() if item.completed_at else "",
            str(self.overdue_days),
            item.tracker_url,
            link,
        ]


_Incidents = tuple[list[str], list[str], str]  # teams, services, worst severity


def _incidents_of(postmortem: Postmortem) -> _Incidents:
    incidents = list(postmortem.incidents.all())
    teams = sorted({team.slug for incident in incidents for team in incident.teams.all()})
    services = sorted({s.slug for incident in incidents for s in incident.services.all()})
    worst = min(incidents, key=lambda incident: incident.severity.rank, default=None)
    return teams, services, worst.severity.code if worst else ""


def row_for(item: ActionItem, today: date, known: dict[int, _Incidents] | None = None) -> Row:
    """Build a row from an item fetched by ``ordered`` (no further queries); ``known`` keeps
    what the rows of one postmortem share."""
    known = {} if known is None else known
    if item.postmortem_id not in known:
        known[item.postmortem_id] = _incidents_of(item.postmortem)
    teams, services, severity = known[item.postmortem_id]
    return Row(
        item=item,
        teams=teams,
        services=services,
        severity=severity,
        overdue_days=item.days_overdue(today),
    )


def rows_for(items: Iterable[ActionItem], today: date) -> list[Row]:
    """Rows of items fetched by ``ordered`` (with or without their incidents); the teams,
    services and severities of their postmortems' incidents are read in three queries of
    plain values, not as objects and a query set per postmortem and incident."""
    items = list(items)
    known = _incidents_by_postmortem({item.postmortem_id for item in items})
    return [row_for(item, today, known) for item in items]


def _incidents_by_postmortem(ids: set[int]) -> dict[int, _Incidents]:
    """What ``_incidents_of`` gives, for each of the postmortems ``ids``."""
    teams: dict[int, set[str]] = {pk: set() for pk in ids}
    services: dict[int, set[str]] = {pk: set() for pk in ids}
    worst: dict[int, tuple[int, str]] = {}
    if ids:
        rows = (
            Incident.objects.filter(postmortems__in=ids)
            .order_by()
            .values_list("postmortems", "severity__rank", "severity__code")
        )
        for pk, rank, code in rows:
            if pk not in worst or (rank, code) < worst[pk]:
                worst[pk] = (rank, code)
        for pk, slug in (
            Team.objects.filter(incidents__postmortems__in=ids)
            .order_by()
            .values_list("incidents__postmortems", "slug")
        ):
            teams[pk].add(slug)
        for pk, slug in (
            Service.objects.filter(incidents__postmortems__in=ids)
            .order_by()
            .values_list("incidents__postmortems", "slug")
        ):
            services[pk].add(slug)
    return {
        pk: (sorted(teams[pk]), sorted(services[pk]), worst[pk][1] if pk in worst else "")
        for pk in ids
    }


def item_path(item: ActionItem) -> str:
    """Where the item is shown: its postmortem's page, at the item."""
    from django.urls import reverse

    return (
        reverse("postmortems:detail", kwargs={"key": item.postmortem.key}) + f"#action-{item.key}"
    )


def write_csv(rows: Iterable[Row], base_url: str) -> str:
    """The CSV text of ``rows`` (header first); links are absolute when ``base_url`` is set."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    base = base_url.rstrip("/")
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row.values(base + item_path(row.item))])
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
