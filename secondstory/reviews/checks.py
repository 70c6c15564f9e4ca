"""What the postmortem and meeting pages show about a review: the policy clock, the
warnings (facilitator was a responder, draft not shared 24 h before) and the agenda."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.reviews import agenda as core_agenda
from secondstory.core.reviews import policy
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from secondstory.lib.timezones import site_zone
from secondstory.postmortems.models import Postmortem
from secondstory.reviews.models import ReviewMeeting, ReviewPolicy

#: How long before the meeting the draft must have been shared for a real pre-read.
PRE_READ = timedelta(hours=24)


def _business_days(severity: Severity | None) -> int:
    """The policy row of a severity, else the default for its rank."""
    if severity is None:
        return policy.OTHER_DAYS
    try:
        return int(severity.review_policy.business_days)
    except ReviewPolicy.DoesNotExist:
        return policy.default_business_days(severity.rank)


def business_days_for(postmortem: Postmortem) -> int:
    """The policy of the postmortem's most severe incident (default by rank without a row)."""
    return _resolution(postmortem)[1]


def resolved_at(postmortem: Postmortem) -> datetime | None:
    """When the last of its incidents was resolved; None while one is not resolved."""
    return _resolution(postmortem)[0]


def _resolution(postmortem: Postmortem) -> tuple[datetime | None, int]:
    """The last resolution of its incidents (None while one is unresolved) and the business
    days its most severe incident allows, in one query."""
    resolved = Max("milestones__at", filter=Q(milestones__kind__code="resolved"))
    # Not through ``postmortem.incidents``: the page's prefetches would come along.
    incidents = list(
        Incident.objects.filter(postmortems=postmortem)
        .annotate(resolved=resolved)
        .select_related("severity__review_policy")
    )
    severity = min((i.severity for i in incidents), key=lambda s: s.rank, default=None)
    times = [i.resolved for i in incidents]  # type: ignore[attr-defined]
    last = None if not times or None in times else max(times)
    return last, _business_days(severity)


def _day(at: datetime) -> date:
    return timezone.localtime(at, site_zone()).date()


def first_held(meetings: Iterable[ReviewMeeting]) -> datetime | None:
    held = [m.held_at for m in meetings if m.status == "held" and m.held_at is not None]
    return min(held) if held else None


def clock(
    postmortem: Postmortem,
    today: date | None = None,
    *,
    meetings: Iterable[ReviewMeeting] | None = None,
) -> policy.ReviewClock | None:
    """The review clock, or None until every incident is resolved (or when no review is
    expected: a postmortem marked not required). ``meetings``: its meetings, when the
    caller has them already."""
    if postmortem.status == "not_required":
        return None
    resolved, days = _resolution(postmortem)
    if resolved is None:
        return None
    held = first_held(postmortem.review_meetings.all() if meetings is None else meetings)
    today = today or timezone.localdate(timezone=site_zone())
    return policy.review_clock(_day(resolved), days, _day(held) if held else None, today)


def shared_at(postmortem: Postmortem, before: datetime) -> datetime | None:
    """When the draft was last submitted for review (shared) before ``before``."""
    at: datetime | None = (
        postmortem.transitions.filter(to_status="in_review", at__lte=before)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return at


@dataclass(frozen=True)
class Warning:
    code: str
    text: str


def facilitator_responded(meeting: ReviewMeeting) -> bool:
    """Whether the facilitator appears as an actor on a timeline of the incidents."""
    person: User | None = meeting.facilitator
    if person is None:
        return False
    names = [person.username, person.name, person.get_full_name()]
    actors = (
        TimelineEvent.objects.filter(incident__postmortems=meeting.postmortem_id)
        .exclude(actor="")
        .values_list("actor", flat=True)
        .distinct()
    )
    return core_agenda.same_person(names, actors)


def warnings(meeting: ReviewMeeting) -> list[Warning]:
    found = []
    if facilitator_responded(meeting):
        assert meeting.facilitator is not None
        found.append(
            Warning(
                "facilitator_responder",
                f"{meeting.facilitator.name} took part in the response (they appear on the "
                "timeline). A facilitator who was not a responder asks the naive questions "
                "more easily; consider another facilitator.",
            )
        )
    shared = shared_at(meeting.postmortem, meeting.starts_at)
    if shared is None or meeting.starts_at - shared < PRE_READ:
        when = "has not been shared for review" if shared is None else "was shared less than 24 h"
        found.append(
            Warning(
                "pre_read",
                f"The draft {when} before the meeting: attendees may not have read it. "
                "Submit it for review at least 24 hours ahead, or move the meeting.",
            )
        )
    return found


def agenda(postmortem: Postmortem) -> core_agenda.Agenda:
    factors = postmortem.factors.annotate(n=Count("events")).order_by("position", "id")
    items = postmortem.action_items.filter(status__in=("open", "in_progress")).select_related(
        "owner"
    )
    return core_agenda.agenda(
        open_questions=postmortem.open_questions,
        surprises=postmortem.surprises,
        factors=[core_agenda.FactorPoint(f.key, f.description, f.n) for f in factors],
        items=[
            core_agenda.ItemPoint(i.key, i.title, i.owner.name, i.owner.is_active) for i in items
        ],
    )
