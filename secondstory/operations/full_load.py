"""``secondstory load DIR`` of a complete export (``export --all``): all of it or nothing.

The order follows the references: vocabularies, people (with unusable passwords: each
person sets one with a password reset), teams, services and tags, incidents without a
postmortem, the postmortems (the Markdown loader), then comments, revision history,
dismissed review findings, saved filters, customer summaries and the audit log. Loading
twice changes nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from secondstory.accounts.models import Role, Team, User
from secondstory.actions.models import PriorityPolicy, SavedFilter
from secondstory.audit.transfer import KIND as audit_kind
from secondstory.audit.transfer import load_events
from secondstory.core.exchange import ExchangeError
from secondstory.core.invariants import format_path, incident_problems
from secondstory.core.record import ExternalReference, IncidentRecord, Milestone
from secondstory.core.timeline.event import TimelineEvent
from secondstory.incidents.models import (
    DurationMetric,
    Incident,
    MilestoneKind,
    Service,
    Severity,
    Tag,
)
from secondstory.incidents.services import upsert_incident
from secondstory.operations.kinds import FORMAT, INDEX, VERSION, ExportFileError, Item, read_kind
from secondstory.postmortems.exchange import load_text, markdown_files
from secondstory.postmortems.models import (
    Comment,
    FactorCategory,
    Postmortem,
    PostmortemTemplate,
    ReviewDismissal,
    Revision,
)
from secondstory.postmortems.records import RecordInvalid, vocabulary
from secondstory.sharing.models import CustomerSummary

POSTMORTEMS = "postmortems"


class FullLoadError(Exception):
    """The directory cannot be loaded; nothing of it was written."""


@dataclass
class FullLoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    kept: int = 0  # revisions of existing postmortems whose number was already taken

    def lines(self) -> list[str]:
        out = [f"loaded {n} {kind.replace('_', ' ')}" for kind, n in self.counts.items()]
        if self.kept:
            out.append(f"kept {self.kept} existing revisions (their numbers were taken)")
        return out


def is_complete_export(path: Path) -> bool:
    return path.is_dir() and (path / INDEX).is_file()


def load_everything(directory: Path) -> FullLoadReport:
    _check_index(directory)
    report = FullLoadReport()
    try:
        with transaction.atomic():
            _load(directory, report)
    except ExportFileError as exc:
        raise FullLoadError(f"{exc}; nothing was loaded") from exc
    return report


def _check_index(directory: Path) -> None:
    path = directory / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FullLoadError(f"{path}: unreadable ({exc})") from exc
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise FullLoadError(f"{path}: not a secondstory complete export")
    if index.get("version") != VERSION:
        raise FullLoadError(f"{path}: version {index.get('version')!r} is not supported")


def _load(directory: Path, report: FullLoadReport) -> None:
    count = report.counts
    count["severities"] = _each(directory, "severities", _severity)
    count["milestone_kinds"] = _each(directory, "milestone_kinds", _milestone_kind)
    count["duration_metrics"] = _each(directory, "duration_metrics", _duration_metric)
    count["factor_categories"] = _each(directory, "factor_categories", _factor_category)
    count["templates"] = _each(directory, "templates", _template)
    count["priority_policies"] = _each(directory, "priority_policies", _priority_policy)
    count["users"] = _each(directory, "users", _user)
    count["teams"] = _each(directory, "teams", _team)
    count["services"] = _each(directory, "services", _service)
    count["tags"] = _each(directory, "tags", _tag)
    count["incidents"] = _each(directory, "incidents", _incident)
    created = _postmortems(directory / POSTMORTEMS, report)
    count["comments"] = _each(directory, "comments", _comment)
    count["revisions"] = 0
    for item in read_kind(directory, "revisions"):
        loaded = _revision(item, created)
        count["revisions"] += loaded
        report.kept += not loaded
    count["review_dismissals"] = _each(directory, "review_dismissals", _dismissal)
    count["saved_filters"] = _each(directory, "saved_filters", _saved_filter)
    count["customer_summaries"] = _each(directory, "customer_summaries", _customer_summary)
    count[audit_kind] = load_events(directory)


def _each(directory: Path, kind: str, load: Any) -> int:
    n = 0
    for item in read_kind(directory, kind):
        load(item)
        n += 1
    return n


def _user_named(item: Item, field_name: str, *, required: bool = True) -> User | None:
    username = item.text(field_name, required=required)
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise item.error(field_name, f"no user {username!r} (users.jsonl)")
    return user


def _postmortem_keyed(item: Item) -> Postmortem:
    key = item.text("postmortem")
    postmortem = Postmortem.objects.filter(key=key).first()
    if postmortem is None:
        raise item.error("postmortem", f"no postmortem {key!r} (postmortems/)")
    return postmortem


# ---- vocabularies, people, labels --------------------------------------------------------


def _severity(i: Item) -> None:
    Severity.objects.update_or_create(
        code=i.text("code"),
        defaults={"name": i.text("name"), "description": i.text("description", required=False),
                  "rank": i.number("rank"), "slo_days": i.number("slo_days")},
    )  # fmt: skip


def _milestone_kind(i: Item) -> None:
    MilestoneKind.objects.update_or_create(
        code=i.text("code"), defaults={"name": i.text("name"), "position": i.number("position")}
    )


def _duration_metric(i: Item) -> None:
    kinds = {}
    for end in ("start", "end"):
        kinds[end] = MilestoneKind.objects.filter(code=i.text(end)).first()
        if kinds[end] is None:
            raise i.error(end, f"no milestone kind {i.text(end)!r}")
    DurationMetric.objects.update_or_create(
        code=i.text("code"),
        defaults={"name": i.text("name"), "position": i.number("position"), **kinds},
    )


def _factor_category(i: Item) -> None:
    FactorCategory.objects.update_or_create(
        code=i.text("code"),
        defaults={"name": i.text("name"), "description": i.text("description", required=False),
                  "position": i.number("position")},
    )  # fmt: skip


def _template(i: Item) -> None:
    sections = i.data.get("sections")
    template = PostmortemTemplate.objects.filter(slug=i.text("slug")).first() or (
        PostmortemTemplate(slug=i.text("slug"))
    )
    template.name = i.text("name")
    template.description = i.text("description", required=False)
    template.sections = sections
    template.position = i.number("position")
    try:
        template.clean()
    except ValidationError as exc:
        raise i.error("sections", "; ".join(exc.messages)) from exc
    template.save()


def _priority_policy(i: Item) -> None:
    PriorityPolicy.objects.update_or_create(
        priority=i.text("priority"), defaults={"slo_days": i.number("slo_days")}
    )


def _tag(i: Item) -> None:
    Tag.objects.get_or_create(slug=i.text("slug"))


def _user(i: Item) -> None:
    fields = {
        "display_name": i.text("display_name", required=False),
        "first_name": i.text("first_name", required=False),
        "last_name": i.text("last_name", required=False),
        "email": i.text("email", required=False),
        "is_staff": i.flag("is_staff"),
        "is_active": i.flag("is_active"),
        "time_zone": i.text("time_zone", required=False),
    }
    # Exports older than organisation roles carry none: staff were the admins then.
    fields["role"] = i.text("role", required=False) or (
        Role.ADMIN if fields["is_staff"] else Role.RESPONDER
    )
    if fields["role"] not in Role.values:
        raise i.error("role", f"expected one of {', '.join(Role.values)}")
    user = User.objects.filter(username=i.text("username")).first()
    if user is None:
        user = User(username=i.text("username"), date_joined=i.instant("date_joined"))
        user.set_unusable_password()  # passwords never travel: each person resets theirs
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


def _team(i: Item) -> None:
    team, _ = Team.objects.update_or_create(slug=i.text("slug"), defaults={"name": i.text("name")})
    for field_name in ("members", "maintainers"):
        names = i.names(field_name)
        found = list(User.objects.filter(username__in=names))
        if len(found) != len(set(names)):
            missing = sorted(set(names) - {u.username for u in found})
            raise i.error(field_name, f"no user {missing[0]!r} (users.jsonl)")
        getattr(team, field_name).set(found)


def _service(i: Item) -> None:
    team = None
    if i.text("team", required=False):
        team = Team.objects.filter(slug=i.text("team")).first()
        if team is None:
            raise i.error("team", f"no team {i.text('team')!r} (teams.jsonl)")
    Service.objects.update_or_create(
        slug=i.text("slug"),
        defaults={"name": i.text("name"), "team": team,
                  "description": i.text("description", required=False)},
    )  # fmt: skip


# ---- incidents and postmortems -----------------------------------------------------------


def _incident(i: Item) -> None:
    record = IncidentRecord(
        key=i.text("key"),
        title=i.text("title"),
        severity=i.text("severity"),
        visibility=i.text("visibility"),
        services=i.names("services"),
        teams=i.names("teams"),
        tags=i.names("tags"),
        external_references=[
            ExternalReference(r["system"], r["id"], r.get("url", ""))
            for r in _list_of(i, "external_references", ("system", "id"))
        ],
        milestones=[
            Milestone(m["kind"], Item(i.path, i.line, m).instant("at"))  # type: ignore[arg-type]
            for m in _list_of(i, "milestones", ("kind", "at"))
        ],
        milestone_order_note=i.text("milestone_order_note", required=False),
        timeline=[_event(i, e) for e in _list_of(i, "timeline", ("at", "kind", "source", "ref"))],
    )
    problems = incident_problems(record, vocabulary())
    if problems:
        raise i.error(format_path(problems[0].path), problems[0].message)
    incident = upsert_incident(record)
    created_at = i.instant("created_at", required=False)
    if created_at is not None:
        Incident.objects.filter(pk=incident.pk).update(created_at=created_at)


def _list_of(i: Item, name: str, required: tuple[str, ...]) -> list[dict[str, Any]]:
    value = i.data.get(name, [])
    if not isinstance(value, list):
        raise i.error(name, "expected a list")
    for n, entry in enumerate(value):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in required):
            raise i.error(f"{name}[{n}]", f"expected an object with {', '.join(required)}")
    return value


def _event(i: Item, e: dict[str, Any]) -> TimelineEvent:
    at = Item(i.path, i.line, e).instant("at")
    assert at is not None
    return TimelineEvent(
        at=at,
        kind=e["kind"],
        source=e["source"],
        source_ref=e["ref"],
        text=str(e.get("text", "")),
        actor=str(e.get("actor", "")),
        actor_role=str(e.get("role", "")),
        starred=bool(e.get("starred", False)),
        known_at_the_time=bool(e.get("known_at_the_time", True)),
        evidence_url=str(e.get("evidence", "")),
        raw=e.get("raw"),
    )


def _postmortems(directory: Path, report: FullLoadReport) -> set[str]:
    """Load every Markdown file; return the keys of the postmortems this created."""
    created = set()
    files = markdown_files([directory]) if directory.is_dir() else []
    for path in files:
        try:
            postmortem, new = load_text(path.read_text(encoding="utf-8"), source=str(path))
        except (ExchangeError, RecordInvalid, UnicodeDecodeError) as exc:
            raise FullLoadError(f"{path}: {exc}; nothing was loaded") from exc
        if new:
            created.add(postmortem.key)
    report.counts["postmortems"] = len(files)
    return created


# ---- what was said and done around the postmortems ---------------------------------------


def _comment(i: Item) -> None:
    postmortem, author = _postmortem_keyed(i), _user_named(i, "author")
    created_at, body = i.instant("created_at"), i.text("body")
    same = Comment.objects.filter(
        postmortem=postmortem, author=author, created_at=created_at, body=body
    )
    comment = same.first() or Comment(postmortem=postmortem, author=author, body=body)
    comment.section = i.text("section", required=False)
    # Exports made before "please change" comments existed have no such field.
    comment.requests_change = "requests_change" in i.data and i.flag("requests_change")
    comment.resolved_at = i.instant("resolved_at", required=False)
    comment.resolved_by = _user_named(i, "resolved_by", required=False)
    # Exports made before anchored comments and suggestions have none of these fields.
    for name in ("quote", "quote_prefix", "quote_suffix", "suggestion"):
        setattr(comment, name, i.text(name, required=False) if name in i.data else "")
    comment.suggestion_accepted_at = (
        i.instant("suggestion_accepted_at", required=False)
        if "suggestion_accepted_at" in i.data
        else None
    )
    comment.save()
    Comment.objects.filter(pk=comment.pk).update(created_at=created_at)  # not "now"


def _revision(i: Item, created: set[str]) -> bool:
    """Load one revision; False when an existing postmortem already has its number."""
    postmortem = _postmortem_keyed(i)
    number = i.number("number")
    fields = {
        "author": _user_named(i, "author", required=False),
        "created_at": i.instant("created_at"),
        "summary": i.text("summary", required=False),
        "snapshot": i.text("snapshot"),
    }
    existing = Revision.objects.filter(postmortem=postmortem, number=number).first()
    if existing is not None and postmortem.key not in created:
        # An installation's own history is never overwritten.
        return existing.snapshot == fields["snapshot"]
    Revision.objects.update_or_create(postmortem=postmortem, number=number, defaults=fields)
    return True


def _dismissal(i: Item) -> None:
    ReviewDismissal.objects.update_or_create(
        postmortem=_postmortem_keyed(i),
        section=i.text("section"),
        rule=i.text("rule"),
        text=i.text("text", required=False),
        defaults={"sentence": i.text("sentence", required=False), "reason": i.text("reason"),
                  "by": _user_named(i, "by", required=False), "at": i.instant("at")},
    )  # fmt: skip


def _saved_filter(i: Item) -> None:
    owner = _user_named(i, "owner")
    saved, _ = SavedFilter.objects.update_or_create(
        owner=owner, name=i.text("name"), defaults={"query": i.text("query", required=False)}
    )
    SavedFilter.objects.filter(pk=saved.pk).update(created_at=i.instant("created_at"))


def _customer_summary(i: Item) -> None:
    CustomerSummary.objects.update_or_create(
        postmortem=_postmortem_keyed(i),
        defaults={
            "text": i.text("text"),
            "updated_by": _user_named(i, "updated_by", required=False),
        },
    )
