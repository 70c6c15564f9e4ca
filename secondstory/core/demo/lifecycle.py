"""Where a postmortem is in its lifecycle, and how it got there."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from secondstory.core.demo.context import Cast
from secondstory.core.demo.organisation import Staff, zone
from secondstory.core.record import Transition

SEND_BACK_NOTES: tuple[str, ...] = (
    "The factors stop at the trigger; please add what made the change look safe at the time.",
    "Could the impact section give numbers and where they come from?",
    "There is a gap in the timeline between detection and the decision; please fill it in.",
    "Some action items have no owner team yet; please sort that out before approval.",
)
APPROVE_NOTES: tuple[str, ...] = (
    "Approved. Clear and thorough.",
    "Approved; the action items look right-sized.",
    "Approved. Thanks for the careful timeline.",
    "",
)
SUBMIT_NOTES: tuple[str, ...] = ("Ready for review.", "Ready for review — comments welcome.", "")
REOPEN_NOTE = "Reopened: on a second look there is more to learn here than a duplicate alert."


def pick_status(rng: random.Random, age_days: float) -> str:
    """A plausible status for a postmortem whose incident is ``age_days`` old."""
    roll = rng.random()
    if age_days < 7:
        cuts = (0.8, 1.0, 1.0)
    elif age_days < 21:
        cuts = (0.35, 0.7, 0.85)
    elif age_days < 60:
        cuts = (0.1, 0.2, 0.35)
    else:
        cuts = (0.04, 0.07, 0.12)
    if roll < cuts[0]:
        return "draft"
    if roll < cuts[1]:
        return "in_review"
    if roll < cuts[2]:
        return "approved"
    return "published"


Step = tuple[str, str, Staff, float, float, str]  # from, to, by, min days, max days, note


def _path(rng: random.Random, status: str, cast: Cast, reopened: bool, reason: str) -> list[Step]:
    owner = cast.owner
    reviewer = cast.reviewers[0]
    if status == "not_required":
        return [("draft", "not_required", owner, 0.05, 2, reason)]
    path: list[Step] = []
    if reopened:
        path.append(("draft", "not_required", owner, 0.05, 1, reason))
        path.append(("not_required", "draft", reviewer, 1, 8, REOPEN_NOTE))
    advanced = status in ("in_review", "approved", "published")
    sent_back = rng.random() < (0.22 if advanced else 0.12)
    if advanced or sent_back:
        path.append(("draft", "in_review", owner, 1, 10, rng.choice(SUBMIT_NOTES)))
    if sent_back:
        path.append(("in_review", "draft", reviewer, 1, 4, rng.choice(SEND_BACK_NOTES)))
        if advanced:
            path.append(("draft", "in_review", owner, 1, 6, "Updated after review."))
    if status in ("approved", "published"):
        approver = rng.choice(cast.reviewers)
        path.append(("in_review", "approved", approver, 1, 6, rng.choice(APPROVE_NOTES)))
    if status == "published":
        publisher = cast.facilitator or owner
        path.append(("approved", "published", publisher, 0.1, 3, ""))
    return path


def transitions(
    rng: random.Random,
    *,
    status: str,
    cast: Cast,
    created: datetime,
    now: datetime,
    reopened: bool = False,
    reason: str = "",
) -> list[Transition]:
    """The chain of steps from draft to ``status``, all before ``now``."""
    path = _path(rng, status, cast, reopened, reason)
    gaps = [rng.uniform(lo, hi) for _, _, _, lo, hi, _ in path]
    room = (now - created).total_seconds() / 86400 - 0.05
    total = sum(gaps)
    if total > room:
        gaps = [g * room / total for g in gaps]
    steps: list[Transition] = []
    at = previous = created
    latest = now - timedelta(minutes=5)
    for (src, dst, by, _, _, note), gap in zip(path, gaps, strict=True):
        at = at + timedelta(days=gap)
        local = at.astimezone(zone(by.offset)).replace(microsecond=0)
        if not 8 <= local.hour < 19:
            # People move postmortems along in their working hours.
            moved = local.replace(hour=rng.randrange(9, 18))
            if previous < moved <= latest:
                local = moved
        if local <= previous:
            local = min(previous + timedelta(minutes=rng.randrange(5, 30)), latest)
        previous = local
        steps.append(Transition(src, dst, by.username, local, note))
    return steps
