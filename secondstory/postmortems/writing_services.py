"""Operations of the writing workspace: start, edit a section, restore, templates.

Every operation that changes a postmortem records a revision in the same
transaction, so the history never misses a saved change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core import taxonomy
from secondstory.core.exchange import ExchangeError, parse_postmortem
from secondstory.core.record import PostmortemRecord
from secondstory.incidents.models import Incident
from secondstory.lib.concurrency import check_base
from secondstory.lib.keys import NoFreeKey, with_next_key
from secondstory.library.index_fields import reindex_sections
from secondstory.postmortems.models import Postmortem, PostmortemTemplate, Revision
from secondstory.postmortems.records import (
    RecordInvalid,
    load_record,
    postmortems_for_export,
    record_for,
    vocabulary,
)
from secondstory.postmortems.revisions import (
    SECTIONS_ONLY,
    keep_current_timelines,
    record_revision,
)
from secondstory.postmortems.services import can_edit

HEADINGS = dict(taxonomy.SECTIONS)
KEY_PREFIX = "PM-"
_NUMBERED_KEY = re.compile(r"^PM-(\d+)$")


# --- Starting a postmortem -----------------------------------------------------------------


def next_postmortem_key() -> str:
    """``PM-NNNN`` one above the highest numbered key in use (gaps stay gaps)."""
    keys = Postmortem.objects.filter(key__regex=r"^PM-[0-9]+$").values_list("key", flat=True)
    highest = max((int(m.group(1)) for k in keys if (m := _NUMBERED_KEY.match(k))), default=0)
    return f"{KEY_PREFIX}{highest + 1:04d}"


def start_postmortem(
    incident: Incident, *, owner: User, template: PostmortemTemplate | None
) -> Postmortem:
    """A new draft postmortem for the incident, owned by ``owner``, with its first revision.

    Safe when many start at once: each gets its own next key (see ``lib.keys``).
    """

    def create(key: str) -> Postmortem:
        postmortem = Postmortem.objects.create(
            key=key,
            title=incident.title[: taxonomy.MAX_TITLE],
            owner=owner,
            template=template,
            created_at=timezone.now(),
        )
        postmortem.incidents.add(incident)
        summary = f"Started from the {template.name} template" if template else "Started"
        record_revision(postmortem, author=owner, summary=summary)
        return postmortem

    try:
        return with_next_key("postmortem", next_postmortem_key, create)
    except NoFreeKey:
        raise ValidationError({"key": "could not find a free postmortem key; try again"}) from None


# --- The sections a page shows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageSection:
    """One narrative section as the postmortem page shows it."""

    field: str
    heading: str
    question: str
    text: str
    in_template: bool


def page_sections(postmortem: Postmortem) -> list[PageSection]:
    """The template's sections in its order, then any other section that has text.

    Without a template every section is offered (empty ones only to editors,
    see :func:`sections_to_add`).
    """
    entries = postmortem.template.sections if postmortem.template else []
    questions = {e["field"]: e.get("question", "") for e in entries if e["field"] in HEADINGS}
    shown = [
        PageSection(f, HEADINGS[f], q, getattr(postmortem, f), True) for f, q in questions.items()
    ]
    shown.extend(
        PageSection(f, h, "", getattr(postmortem, f), False)
        for f, h in taxonomy.SECTIONS
        if f not in questions and getattr(postmortem, f).strip()
    )
    return shown


def page_context(user: User, postmortem: Postmortem) -> dict[str, object]:
    """What the postmortem page needs for its sections: editors also see empty ones."""
    editor = can_edit(user, postmortem)
    sections = page_sections(postmortem)
    if not editor:
        sections = [s for s in sections if s.text.strip()]
    return {
        "sections": sections,
        "sections_to_add": sections_to_add(postmortem) if editor else [],
        "can_edit": editor,
    }


def sections_to_add(postmortem: Postmortem) -> list[tuple[str, str]]:
    """(field, heading) of the sections not on the page yet, for an editor to start."""
    shown = {s.field for s in page_sections(postmortem)}
    return [(f, h) for f, h in taxonomy.SECTIONS if f not in shown]


def section_of(postmortem: Postmortem, field: str) -> PageSection:
    """The one section ``field`` as the page would show it, even when empty."""
    for section in page_sections(postmortem):
        if section.field == field:
            return section
    return PageSection(field, HEADINGS[field], "", getattr(postmortem, field), False)


# --- Editing a section ---------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Browsers send CRLF line ends; keep LF only so fingerprints and diffs stay stable."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def save_section(
    postmortem: Postmortem, field: str, text: str, *, base: str, author: User
) -> Postmortem:
    """Save one section; raise EditConflict when it changed since ``base`` was taken.

    Only that one column is written, so two people editing two different
    sections never overwrite each other.
    """
    if field not in HEADINGS:
        raise ValidationError({"field": f"unknown section {field!r}"})
    text = normalise_text(text)
    locked = Postmortem.objects.select_for_update().get(pk=postmortem.pk)
    current = getattr(locked, field)
    check_base(base, current, what=f"the {HEADINGS[field]} section", yours=text)
    if text != current:
        setattr(locked, field, text)
        locked.save(update_fields=[field, "updated_at"])
        record_revision(
            locked,
            author=author,
            summary=f"Edited {HEADINGS[field]}",
            locked=True,
            reindex=reindex_sections,
            touched=SECTIONS_ONLY,
        )
    return locked


# --- Restoring a revision ------------------------------------------------------------------


@transaction.atomic
def restore_revision(
    postmortem: Postmortem, revision: Revision, *, author: User
) -> Revision | None:
    """Bring the postmortem back to ``revision`` and record that as a new revision.

    The content comes back (title, people, sections, incidents and their
    timelines, factors, action items); the lifecycle stays as it is now: a
    restore never un-publishes a postmortem or rewrites who approved it (nor does it change
    the game day a review belongs to).
    """
    if revision.postmortem_id != postmortem.pk:
        raise ValidationError({"revision": "that revision belongs to another postmortem"})
    try:
        record = parse_postmortem(revision.snapshot, source=f"revision {revision.number}")
    except ExchangeError as exc:
        raise ValidationError(
            {"revision": f"revision {revision.number} cannot be read: {exc}"}
        ) from exc
    now = record_for(postmortems_for_export().get(pk=postmortem.pk))
    record.status = now.status
    record.not_required_reason = now.not_required_reason
    record.transitions = now.transitions
    record.game_day = now.game_day  # a game day's plan and status are not the review's content
    record.people = {**now.people, **record.people}
    _keep_incident_access(record, postmortem, author)
    keep_current_timelines(record)
    try:
        load_record(record, vocab=vocabulary())
    except RecordInvalid as exc:
        raise ValidationError({"revision": str(exc)}) from exc
    return record_revision(
        postmortem, author=author, summary=f"Restored revision {revision.number}"
    )


def _keep_incident_access(record: PostmortemRecord, postmortem: Postmortem, author: User) -> None:
    """A restore never opens or closes an incident for others: the visibility and teams of
    an incident stay as they are unless ``author`` may change them, and an incident the
    postmortem no longer covers comes back only for someone who may edit it."""
    stored = {i.key: i for i in Incident.objects.filter(key__in=[i.key for i in record.incidents])}
    covered = set(postmortem.incidents.values_list("key", flat=True))
    for position, incident in enumerate(record.incidents):
        row = stored.get(incident.key)
        if row is None:
            continue
        if incident.key not in covered and not permissions.may_edit_incident(author, row):
            raise ValidationError(
                {"revision": f"it covers incident {row.key}, which you may not edit"}
            )
        if not permissions.may_change_incident_access(author, row):
            record.incidents[position] = replace(
                incident, omitted=incident.omitted | {"visibility", "teams"}
            )


# --- Templates -----------------------------------------------------------------------------


def _free_slug(name: str, *, keep: PostmortemTemplate | None = None) -> str:
    base = (slugify(name) or "template")[: taxonomy.MAX_SLUG - 4]
    taken = PostmortemTemplate.objects.exclude(pk=keep.pk if keep else None)
    slug, n = base, 2
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_template(
    template: PostmortemTemplate | None,
    *,
    name: str,
    description: str,
    sections: list[dict[str, str]],
) -> PostmortemTemplate:
    """Create (``template`` None) or update a template; built-in ones keep their slug."""
    if template is None:
        template = PostmortemTemplate(slug=_free_slug(name))
    template.name = name
    template.description = description
    template.sections = sections
    template.full_clean(exclude=["slug", "position"])
    template.save()
    return template


def template_entries(template: PostmortemTemplate) -> list[tuple[str, str]]:
    """(heading, question) of each section the template shows, in its order."""
    return [
        (HEADINGS[e["field"]], e.get("question", ""))
        for e in template.sections
        if isinstance(e, dict) and e.get("field") in HEADINGS
    ]


def delete_template(template: PostmortemTemplate) -> None:
    """Delete a custom template; its postmortems keep their text and show every section."""
    if template.built_in:
        raise ValidationError({"template": "built-in templates can be edited but not deleted"})
    template.delete()
