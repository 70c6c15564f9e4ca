"""What the static site shows: published, non-restricted postmortems as plain page data.

Everything here is read once from the database and turned into dictionaries the
templates and the search index use; with ``roles`` every person is already
replaced by their role, so nothing downstream can leak a name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import nh3
from django.db.models import F, Prefetch, QuerySet
from django.db.models.functions import Coalesce

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.lib.markdown import render_markdown
from secondstory.library.site import roles as R
from secondstory.postmortems.models import Postmortem

CHUNK = 200
SUMMARY_CHARS = 300
TEXT_CHARS = 4000
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Links in narrative text that point inside the web app mean nothing on a static site.
LOCAL_LINK = re.compile(r'<a href="(?![a-z]+:)[^"]*"', re.IGNORECASE)
STATUS_LABELS = dict(ActionItem.STATUS_CHOICES)
HEADINGS = dict(taxonomy.SECTIONS)
FRONT_SECTIONS = ("summary", "impact")


def file_name(value: str) -> str:
    """A file name for a key or slug that is safe on every file system."""
    cleaned = UNSAFE.sub("-", value).strip(".-")
    return cleaned or "item"


def publishable() -> QuerySet[Postmortem]:
    """Published postmortems none of whose incidents is restricted; a game day's review is
    an internal exercise, not an incident's record, and stays out (docs/game-days.md)."""
    return permissions.open_to_everyone().filter(status="published", is_exercise=False)


def _queryset() -> QuerySet[Postmortem]:
    return (
        publishable()
        .select_related("owner", "facilitator")
        .prefetch_related(
            "collaborators",
            "reviewers",
            Prefetch(
                "incidents",
                queryset=Incident.objects.select_related("severity").prefetch_related(
                    "services",
                    "teams",
                    "tags",
                    "milestones__kind",
                    Prefetch("timeline", queryset=TimelineEvent.objects.order_by("at", "id")),
                ),
            ),
            "factors__category",
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner").prefetch_related("factors"),
            ),
        )
    )


def _directory() -> R.Directory:
    rows = User.objects.values_list("username", "display_name", "first_name", "last_name")
    return R.Directory(R.people(rows))


def _roles_for(postmortem: Postmortem, directory: R.Directory) -> R.Roles:
    roles = R.Roles(directory)
    roles.assign(postmortem.owner.username, R.OWNER)
    if postmortem.facilitator is not None:
        roles.assign(postmortem.facilitator.username, R.FACILITATOR)
    for incident in postmortem.incidents.all():
        for event in incident.timeline.all():
            roles.assign_actor(event.actor, event.actor_role)
    for item in postmortem.action_items.all():
        roles.assign(item.owner.username, R.ACTION_OWNER)
    for user in postmortem.reviewers.all():
        roles.assign(user.username, R.REVIEWER)
    for user in postmortem.collaborators.all():
        roles.assign(user.username, R.COLLABORATOR)
    return roles


class _Plain:
    """Names as they are, for a site that keeps them."""

    def text(self, value: str) -> str:
        return value

    def actor(self, actor: str, actor_role: str) -> str:
        return f"{actor} ({actor_role})" if actor and actor_role else actor

    def person(self, user: User, role: str) -> str:
        return user.name


class _Roled:
    def __init__(self, roles: R.Roles) -> None:
        self.roles = roles

    def text(self, value: str) -> str:
        return self.roles.text(value)

    def actor(self, actor: str, actor_role: str) -> str:
        return self.roles.actor(actor, actor_role)

    def person(self, user: User, role: str) -> str:
        return role


_Names = _Plain | _Roled


def _markdown(text: str) -> str:
    return LOCAL_LINK.sub("<a", str(render_markdown(text)))


def _words(markup: str) -> str:
    """The words of sanitised HTML, for the search index (cheaper than parsing Markdown again)."""
    if not markup:
        return ""
    return " ".join(html.unescape(nh3.clean(markup, tags=set())).split())


def _trim(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut} …"


def collect(*, roles: bool) -> Iterator[dict[str, Any]]:
    """One dictionary per postmortem, newest first, read in chunks to keep memory flat."""
    directory = _directory() if roles else None
    newest_first = _queryset().order_by(
        Coalesce("published_at", "created_at").desc(), F("key").desc()
    )
    for pm in newest_first.iterator(chunk_size=CHUNK):
        names: _Plain | _Roled = _Roled(_roles_for(pm, directory)) if directory else _Plain()
        yield _page(pm, names)


def _factor(
    key: str, category: str, description: str, evidence: str, names: _Names
) -> dict[str, str]:
    markup = _markdown(names.text(description))
    return {
        "key": key,
        "category": category,
        "html": markup,
        "evidence": _markdown(names.text(evidence)),
        "text": _words(markup),
    }


def _page(pm: Postmortem, names: _Plain | _Roled) -> dict[str, Any]:
    incidents = sorted(pm.incidents.all(), key=lambda i: i.key)
    severities = sorted((i.severity for i in incidents), key=lambda s: s.rank)
    services = {s.slug: s.name for i in incidents for s in i.services.all()}
    tags = sorted({t.slug for i in incidents for t in i.tags.all()})
    teams = sorted({t.name for i in incidents for t in i.teams.all()})
    when = pm.published_at or pm.created_at
    sections = [
        {"field": field, "heading": heading, "html": _markdown(names.text(text))}
        for field, heading, text in pm.sections()
        if text.strip()
    ]
    words = {section["field"]: _words(section["html"]) for section in sections}
    events = sorted(
        ((event, incident) for incident in incidents for event in incident.timeline.all()),
        key=lambda pair: (pair[0].at, pair[1].key, pair[0].pk),
    )
    timeline = [
        {
            "at": event.local_at.strftime("%Y-%m-%d %H:%M %z"),
            "incident": incident.key,
            "kind": event.kind,
            "actor": names.actor(event.actor, event.actor_role),
            "text": names.text(event.text),
        }
        for event, incident in events
    ]
    milestones = [
        {"incident": i.key, "name": m.kind.name, "at": m.local_at.strftime("%Y-%m-%d %H:%M %z")}
        for i in incidents
        for m in i.milestones.all()
    ]
    factors = [
        _factor(f.key, f.category.name, f.description, f.evidence, names) for f in pm.factors.all()
    ]
    factor_keys = {f.pk: f.key for f in pm.factors.all()}
    actions = [
        {
            "key": a.key,
            "title": names.text(a.title),
            "type": a.type,
            "priority": a.priority,
            "status": a.status,
            "status_label": STATUS_LABELS.get(a.status, a.status),
            "due": a.due.isoformat(),
            "owner": names.person(a.owner, R.ACTION_OWNER),
            "reason": names.text(a.reason),
            "factors": sorted(factor_keys[f.pk] for f in a.factors.all() if f.pk in factor_keys),
        }
        for a in pm.action_items.all()
    ]
    title = names.text(pm.title)
    summary = words.get("summary", "")
    text_parts = [summary, *(w for f, w in words.items() if f != "summary")]
    text_parts += [f["text"] for f in factors] + [a["title"] for a in actions]
    text_parts += [row["text"] for row in timeline]
    return {
        "key": pm.key,
        "file": f"postmortems/{file_name(pm.key)}.html",
        "title": title,
        "owner": names.person(pm.owner, R.OWNER),
        "sort_at": when.isoformat(),
        "date": when.date().isoformat(),
        "severity": severities[0].code if severities else "",
        "incidents": [i.key for i in incidents],
        "services": [{"slug": slug, "name": services[slug]} for slug in sorted(services)],
        "tags": tags,
        "teams": teams,
        "front": [s for s in sections if s["field"] in FRONT_SECTIONS],
        "sections": [s for s in sections if s["field"] not in FRONT_SECTIONS],
        "timeline": timeline,
        "milestones": milestones,
        "factors": factors,
        "actions": actions,
        "summary": _trim(summary, SUMMARY_CHARS),
        "text": _trim(" ".join(p for p in text_parts if p), TEXT_CHARS),
    }
