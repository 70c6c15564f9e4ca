"""Operations on postmortems used by views, the CLI and loaders alike: access and lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core import followup, taxonomy
from secondstory.core.invariants import publication_gaps
from secondstory.incidents.models import TimelineEvent
from secondstory.library.index import index_postmortem
from secondstory.outgoing import events as webhook_events
from secondstory.postmortems.models import (
    Comment,
    ContributingFactor,
    FactorCategory,
    Postmortem,
    PostmortemTransition,
)

STATUS_LABELS = dict(Postmortem.STATUS_CHOICES)


def visible_postmortems(user: User) -> QuerySet[Postmortem]:
    """The postmortems ``user`` may read (see ``secondstory.accounts.permissions``)."""
    return permissions.visible_postmortems(user)


def can_read(user: User, postmortem: Postmortem) -> bool:
    return permissions.may_read(user, postmortem)


def can_edit(user: User, postmortem: Postmortem) -> bool:
    """The owner, facilitator, collaborators and admins edit; everybody else reads at most."""
    return permissions.may(user, "edit", postmortem)


def can_review(user: User, postmortem: Postmortem) -> bool:
    """Reviewers other than the owner approve or send back a postmortem in review."""
    return permissions.may(user, "review", postmortem)


def can_comment(user: User, postmortem: Postmortem) -> bool:
    """Reviewers, collaborators, the owner, the facilitator and admins leave comments."""
    return permissions.may(user, "comment", postmortem)


def publication_checklist(postmortem: Postmortem) -> list[str]:
    """What the postmortem still lacks before it can be published (empty when ready).

    Asks only what publishing asks (``publication_gaps``): its summary, already read with
    the postmortem, and whether it has a contributing factor and a timeline event, one query
    for both, never its incidents or timelines.
    """
    found = (
        Postmortem.objects.filter(pk=postmortem.pk)
        .values(
            has_factors=Exists(ContributingFactor.objects.filter(postmortem=OuterRef("pk"))),
            has_events=Exists(TimelineEvent.objects.filter(incident__postmortems=OuterRef("pk"))),
        )
        .get()
    )
    gaps = publication_gaps(
        summary=postmortem.summary,
        has_factors=found["has_factors"],
        has_events=found["has_events"],
    )
    return [p.message for p in gaps]


_STATUS_TIME_FIELD = {
    "in_review": "submitted_at",
    "approved": "approved_at",
    "published": "published_at",
    "not_required": "not_required_at",
}


@transaction.atomic
def transition(
    postmortem: Postmortem,
    target: str,
    *,
    by: User,
    note: str = "",
    at: datetime | None = None,
) -> PostmortemTransition:
    """Move the postmortem along its lifecycle, recording who did it and when.

    Raises ValidationError for a move the lifecycle does not allow, for "not
    required" without a reason, for publishing a postmortem that lacks a
    summary, a contributing factor or a timeline event, and for approving or
    publishing one the review gate holds back (``publish_gate``).
    """
    original = postmortem
    postmortem = Postmortem.objects.select_for_update().get(pk=original.pk)
    current = postmortem.status
    if target not in STATUS_LABELS:
        raise ValidationError({"status": f"unknown status {target!r}"})
    if not taxonomy.can_transition(current, target):
        allowed = ", ".join(STATUS_LABELS[s] for s in taxonomy.LIFECYCLE[current]) or "nothing"
        raise ValidationError(
            {
                "status": f"a postmortem cannot move from {STATUS_LABELS[current]} to "
                f"{STATUS_LABELS[target]}; from {STATUS_LABELS[current]} it can move to {allowed}"
            }
        )
    if target == "approved" and by.pk == postmortem.owner_id:
        raise ValidationError({"status": "the owner never approves their own postmortem"})
    if target == "not_required":
        if not note.strip():
            raise ValidationError(
                {"not_required_reason": "say why this postmortem is not required"}
            )
        postmortem.not_required_reason = note
    if target == "published":
        missing = publication_checklist(postmortem)
        if missing:
            raise ValidationError({"status": missing})
    _check_review(postmortem, target)
    at = at or timezone.now()
    postmortem.status = target
    update = ["status", "updated_at", "not_required_reason"]
    if target in _STATUS_TIME_FIELD:
        setattr(postmortem, _STATUS_TIME_FIELD[target], at)
        update.append(_STATUS_TIME_FIELD[target])
    postmortem.save(update_fields=update)
    for name in update:
        setattr(original, name, getattr(postmortem, name))
    index_postmortem(postmortem)  # the status is one of its search filters
    if target == "in_review":
        webhook_events.review_requested(postmortem, at)
    elif target == "published":
        webhook_events.postmortem_published(postmortem, at)
    return PostmortemTransition.objects.create(
        postmortem=postmortem, from_status=current, to_status=target, by=by, at=at, note=note
    )


def _check_review(postmortem: Postmortem, target: str) -> None:
    """Refuse approving or publishing while the review gate holds it back (publish_gate)."""
    from secondstory.postmortems import publish_gate  # imports this module

    publish_gate.enforce(postmortem, target)


# --- Contributing factors, the submission checklist and comments (reviewing workspace) ---


def _next_key(taken: Iterable[str], prefix: str, start: int) -> str:
    used = set(taken)
    number = start
    while f"{prefix}{number}" in used:
        number += 1
    return f"{prefix}{number}"


def timeline_events(postmortem: Postmortem) -> QuerySet[TimelineEvent]:
    """The events of every incident of the postmortem, in time order."""
    return TimelineEvent.objects.filter(incident__postmortems=postmortem).order_by(
        "at", "source", "source_ref"
    )


def _check_events(postmortem: Postmortem, events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    events = list(events)
    allowed = set(timeline_events(postmortem).values_list("pk", flat=True))
    if any(event.pk not in allowed for event in events):
        raise ValidationError({"events": "link only events of this postmortem's timeline"})
    return events


def _check_factor_text(description: str) -> None:
    if not description.strip():
        raise ValidationError({"description": "describe the condition that contributed"})


@transaction.atomic
def add_factor(
    postmortem: Postmortem,
    *,
    category: FactorCategory,
    description: str,
    evidence: str = "",
    events: Iterable[TimelineEvent] = (),
) -> ContributingFactor:
    """Add a contributing factor under the next free key (F1, F2, …)."""
    _check_factor_text(description)
    linked = _check_events(postmortem, events)
    position = postmortem.factors.count()
    key = _next_key(postmortem.factors.values_list("key", flat=True), "F", position + 1)
    factor = ContributingFactor.objects.create(
        postmortem=postmortem,
        key=key,
        position=position,
        category=category,
        description=description,
        evidence=evidence,
    )
    factor.events.set(linked)
    return factor


@transaction.atomic
def update_factor(
    factor: ContributingFactor,
    *,
    category: FactorCategory,
    description: str,
    evidence: str = "",
    events: Iterable[TimelineEvent] = (),
) -> ContributingFactor:
    """Change a factor's category, text and linked timeline events; its key stays."""
    _check_factor_text(description)
    linked = _check_events(factor.postmortem, events)
    factor.category = category
    factor.description = description
    factor.evidence = evidence
    factor.save(update_fields=["category", "description", "evidence"])
    factor.events.set(linked)
    return factor


@transaction.atomic
def remove_factor(factor: ContributingFactor) -> None:
    """Delete a factor; action items that addressed it simply lose the link."""
    factor.delete()


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One requirement of submission: what it is and whether the postmortem meets it."""

    label: str
    done: bool


def submission_checklist(postmortem: Postmortem) -> list[ChecklistItem]:
    """What publishing requires, each marked met or missing; submitting needs all of them."""
    items = postmortem.action_items.all()
    return [
        ChecklistItem("A summary", bool(postmortem.summary.strip())),
        ChecklistItem("At least one contributing factor", postmortem.factors.exists()),
        ChecklistItem("At least one timeline event", timeline_events(postmortem).exists()),
        ChecklistItem(
            "Every action item has an owner and a due date",
            not items.filter(Q(owner__isnull=True) | Q(due__isnull=True)).exists(),
        ),
        *_action_policy_checklist(postmortem),
    ]


def _action_policy_checklist(postmortem: Postmortem) -> list[ChecklistItem]:
    """The action policy (SECONDSTORY_ACTION_POLICY): none when it is switched off."""
    from secondstory.actions import services as actions

    if not actions.action_policy_enabled():
        return []
    rule = actions.action_policy_rule()
    severity = actions.most_severe(postmortem)
    if not followup.policy_applies(severity.rank if severity is not None else None):
        which = f"this one is {severity.code}" if severity is not None else "it has no incident"
        return [ChecklistItem(f"{rule}; {which}, so the rule does not apply", True)]
    return [ChecklistItem(rule, actions.action_policy_met(postmortem))]


def add_comment(
    postmortem: Postmortem,
    *,
    author: User,
    body: str,
    section: str = "",
    requests_change: bool = False,
    quote: str = "",
    quote_prefix: str = "",
    quote_suffix: str = "",
    suggestion: str = "",
) -> Comment:
    """Leave a comment, optionally anchored to one section; ``requests_change`` marks a
    reviewer's "please change", which holds approval and publication until resolved. The
    passage fields come from ``postmortems.anchored``, which locates them first."""
    if not body.strip():
        raise ValidationError({"body": "a comment needs some text"})
    if section and section not in taxonomy.SECTION_FIELDS:
        raise ValidationError({"section": f"unknown section {section!r}"})
    return Comment.objects.create(
        postmortem=postmortem,
        author=author,
        body=body,
        section=section,
        requests_change=requests_change,
        quote=quote,
        quote_prefix=quote_prefix,
        quote_suffix=quote_suffix,
        suggestion=suggestion,
    )


def can_resolve_comment(user: User, comment: Comment) -> bool:
    """The comment's author, the postmortem's owner and admins resolve or reopen it."""
    return permissions.may_resolve_comment(user, comment)


def resolve_comment(comment: Comment, *, by: User, at: datetime | None = None) -> Comment:
    comment.resolved_at = at or timezone.now()
    comment.resolved_by = by
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


def reopen_comment(comment: Comment) -> Comment:
    comment.resolved_at = None
    comment.resolved_by = None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment
