"""Review meetings: schedule, reschedule, cancel, take notes, record decisions, mark held.

Views, the admin and later the survey call these; who may do what is asked of
``accounts.permissions`` by the callers (``may_run_review``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.audit.record import record as audit
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.writing_services import save_section
from secondstory.reviews.invites import invitees, local_start, queue_invites
from secondstory.reviews.models import Decision, ReviewMeeting

AUDIT_TYPE = "reviews.reviewmeeting"
ALREADY = "{key} already has a review scheduled; reschedule it"


@dataclass(frozen=True)
class Plan:
    """What the schedule form decided: an aware start, and who and where."""

    starts_at: datetime
    time_zone: str
    duration_minutes: int
    location: str
    facilitator: User | None
    attendees: list[User]


def meetings_of(postmortem: Postmortem) -> QuerySet[ReviewMeeting]:
    return postmortem.review_meetings.select_related("facilitator", "organizer").order_by(
        "-starts_at", "-id"
    )


def current_meeting(
    postmortem: Postmortem, meetings: Iterable[ReviewMeeting] | None = None
) -> ReviewMeeting | None:
    """The scheduled meeting, else the latest held one, else None."""
    found = list(meetings_of(postmortem) if meetings is None else meetings)
    scheduled = [m for m in found if m.status == "scheduled"]
    held = [m for m in found if m.status == "held"]
    return (scheduled or held or [None])[0]


def check_readers(postmortem: Postmortem, people: Iterable[User | None]) -> None:
    """Refuse to invite someone who may not read the postmortem (a restricted one)."""
    refused = [p.name for p in people if p is not None and not permissions.may_read(p, postmortem)]
    if refused:
        raise ValidationError({"attendees": f"may not read {postmortem.key}: {', '.join(refused)}"})


def _facts(meeting: ReviewMeeting) -> dict[str, object]:
    return {
        "postmortem": meeting.postmortem.key,
        "starts_at": meeting.starts_at.isoformat(),
        "time_zone": meeting.time_zone,
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location,
        "facilitator": meeting.facilitator.username if meeting.facilitator else "",
        "attendees": sorted(p.username for p in meeting.attendees.all()),
        "sequence": meeting.sequence,
        "status": meeting.status,
        "attended": sorted(p.username for p in meeting.attended.all()) if meeting.pk else [],
    }


def _audit(
    action: str, meeting: ReviewMeeting, event: str, before: dict[str, object] | None
) -> None:
    after = {"event": event, **_facts(meeting)}
    label = f"Review of {meeting.postmortem.key} ({local_start(meeting):%Y-%m-%d %H:%M})"
    audit(action, object_type=AUDIT_TYPE, object_id=meeting.pk, object_label=label,
          before=before, after=after)  # fmt: skip


def _apply(meeting: ReviewMeeting, plan: Plan) -> None:
    meeting.starts_at = plan.starts_at
    meeting.time_zone = plan.time_zone
    meeting.duration_minutes = plan.duration_minutes
    meeting.location = plan.location
    meeting.facilitator = plan.facilitator


@transaction.atomic
def schedule(postmortem: Postmortem, plan: Plan, *, by: User) -> ReviewMeeting:
    """Schedule a review and queue the invites (METHOD:REQUEST, SEQUENCE 0)."""
    check_readers(postmortem, [plan.facilitator, *plan.attendees])
    if postmortem.review_meetings.filter(status="scheduled").exists():
        raise ValidationError({"starts_at": ALREADY.format(key=postmortem.key)})
    meeting = ReviewMeeting(postmortem=postmortem, organizer=by)
    _apply(meeting, plan)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:  # scheduled by someone else a moment ago
        raise ValidationError({"starts_at": ALREADY.format(key=postmortem.key)}) from exc
    meeting.attendees.set(plan.attendees)
    _audit("create", meeting, "scheduled", None)
    queue_invites(meeting, "review_invite")
    return meeting


def _open(meeting: ReviewMeeting, doing: str) -> ReviewMeeting:
    locked = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != "scheduled":
        raise ValidationError(
            {"status": f"this review is {locked.get_status_display().lower()}; cannot {doing}"}
        )
    return locked


@transaction.atomic
def reschedule(meeting: ReviewMeeting, plan: Plan) -> ReviewMeeting:
    """Change time, place or people; SEQUENCE grows and updated invites go out.

    People taken off the list get a cancellation of their copy of the event.
    """
    locked = _open(meeting, "reschedule it")
    check_readers(locked.postmortem, [plan.facilitator, *plan.attendees])
    before = _facts(locked)
    dropped = {person.username for person in invitees(locked)}
    locked.sequence += 1
    _apply(locked, plan)
    locked.save()
    locked.attendees.set(plan.attendees)
    kept = {p.username for p in plan.attendees} | (
        {plan.facilitator.username} if plan.facilitator else set()
    )
    _cancel_for(locked, dropped - kept)
    _audit("update", locked, "rescheduled", before)
    queue_invites(locked, "review_update")
    return locked


def _cancel_for(meeting: ReviewMeeting, usernames: set[str]) -> None:
    """Send a cancellation to people no longer invited (same UID and SEQUENCE)."""
    people = list(User.objects.filter(username__in=usernames).order_by("pk"))
    if people:
        queue_invites(meeting, "review_cancel", people=people)


@transaction.atomic
def cancel(meeting: ReviewMeeting) -> ReviewMeeting:
    """Cancel; everyone invited gets METHOD:CANCEL with a higher SEQUENCE."""
    locked = _open(meeting, "cancel it")
    before = _facts(locked)
    locked.status = "cancelled"
    locked.cancelled_at = timezone.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    _audit("update", locked, "cancelled", before)
    queue_invites(locked, "review_cancel")
    return locked


def save_notes(meeting: ReviewMeeting, notes: str) -> ReviewMeeting:
    """Keep the meeting's notes (whole text, as typed)."""
    if meeting.status == "cancelled":
        raise ValidationError({"notes": "this review was cancelled; its notes are closed"})
    meeting.notes = notes.replace("\r\n", "\n")
    meeting.save(update_fields=["notes", "updated_at"])
    return meeting


def decision_line(meeting: ReviewMeeting, text: str) -> str:
    return f"- {' '.join(text.split())} (review of {local_start(meeting):%d %b %Y})"


@transaction.atomic
def record_decision(meeting: ReviewMeeting, text: str, *, by: User) -> Decision:
    """Record a decision on the meeting and as a line of the postmortem's Decisions
    section, which keeps a revision (who, when, the text) like any other edit."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "write the decision"})
    if meeting.status == "cancelled":
        raise ValidationError({"text": "this review was cancelled; record decisions on another"})
    postmortem = Postmortem.objects.select_for_update().get(pk=meeting.postmortem_id)
    current = postmortem.decisions
    lines = [current.rstrip()] if current.strip() else []
    save_section(postmortem, "decisions", "\n".join([*lines, decision_line(meeting, text)]),
                 base=fingerprint(current), author=by)  # fmt: skip
    return Decision.objects.create(
        meeting=meeting, postmortem=postmortem, text=text, recorded_by=by,
        recorded_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def mark_held(
    meeting: ReviewMeeting, attended: Iterable[User], *, held_at: datetime | None = None
) -> ReviewMeeting:
    """Record that the meeting took place, and who actually came."""
    locked = _open(meeting, "mark it held")
    people = list(attended)
    check_readers(locked.postmortem, people)
    before = _facts(locked)
    locked.status = "held"
    locked.held_at = held_at or timezone.now()
    locked.save(update_fields=["status", "held_at", "updated_at"])
    locked.attended.set(people)
    _audit("update", locked, "held", before)
    from secondstory.learningcheck.services import open_learning_check

    open_learning_check(locked.postmortem, at=locked.held_at)
    return locked


def attendees_of(postmortem: Postmortem) -> list[User]:
    """The people who attended the latest held review of ``postmortem`` (none: [])."""
    latest = postmortem.review_meetings.filter(status="held").order_by("-held_at", "-id").first()
    if latest is None:
        return []
    return list(latest.attended.order_by("username"))
