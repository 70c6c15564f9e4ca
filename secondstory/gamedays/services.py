"""Planning, running and reviewing game days: used by the views, the loader and the CLI alike.

A game day's review reuses the postmortem machinery: ``plan_game_day`` starts an exercise
incident and an exercise postmortem, whose timeline editor and importers record the
observations, whose contributing factors are the findings and whose action items run on the
same clocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.core.gamedays import lifecycle
from secondstory.gamedays.models import GameDay, Verification
from secondstory.incidents.editing import next_incident_key
from secondstory.incidents.models import Incident, Service, Severity, TimelineEvent
from secondstory.lib.keys import NoFreeKey, with_next_key
from secondstory.library.index import index_postmortem
from secondstory.nearmiss.models import NearMiss
from secondstory.postmortems.models import FactorCategory, Postmortem
from secondstory.postmortems.writing_services import start_postmortem

KEY_PREFIX = "GD-"
_NUMBERED_KEY = re.compile(r"^GD-(\d+)$")


@dataclass
class GameDayFields:
    """What the plan form holds, already parsed."""

    title: str
    hypothesis: str
    steady_state: str
    steady_state_expected: str = ""
    blast_radius: str = ""
    abort_conditions: str = ""
    fault: str = ""
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    participants: list[User] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    categories: list[FactorCategory] = field(default_factory=list)


_SCALARS = (
    "title",
    "hypothesis",
    "steady_state",
    "steady_state_expected",
    "blast_radius",
    "abort_conditions",
    "fault",
    "scheduled_at",
    "started_at",
    "ended_at",
)


def next_game_day_key() -> str:
    """``GD-NNNN`` one above the highest numbered key in use."""
    keys = GameDay.objects.filter(key__startswith=KEY_PREFIX).values_list("key", flat=True)
    highest = max((int(m.group(1)) for k in keys if (m := _NUMBERED_KEY.match(k))), default=0)
    return f"{KEY_PREFIX}{highest + 1:04d}"


def _check(fields: GameDayFields, status: str) -> None:
    problems: dict[str, str] = {}
    for name in ("title", "hypothesis", "steady_state"):
        if not getattr(fields, name).strip():
            problems[name] = f"{name.replace('_', ' ')}: required"
    times = lifecycle.Times(fields.scheduled_at, fields.started_at, fields.ended_at)
    problems.update(lifecycle.time_problems(status, times))
    if problems:
        raise ValidationError(problems)


def _exercise_severity() -> Severity:
    """The least severe step of the scale: an exercise is never an emergency."""
    severity = Severity.objects.order_by("-rank").first()
    if severity is None:
        raise ValidationError({"title": "configure a severity scale before planning game days"})
    return severity


def _exercise_incident(fields: GameDayFields) -> Incident:
    def create(key: str) -> Incident:
        return Incident.objects.create(
            key=key,
            title=fields.title[: taxonomy.MAX_TITLE],
            severity=_exercise_severity(),
            is_exercise=True,
        )

    try:
        incident = with_next_key("incident", next_incident_key, create)
    except NoFreeKey:
        raise ValidationError({"title": "could not find a free incident key; try again"}) from None
    incident.services.set(fields.services)
    return incident


@transaction.atomic
def plan_game_day(fields: GameDayFields, *, by: User, near_miss: NearMiss | None = None) -> GameDay:
    """A planned game day with its exercise incident and review postmortem (owned by ``by``,
    the participants as collaborators, so they all write observations and findings)."""
    _check(fields, lifecycle.PLANNED)
    incident = _exercise_incident(fields)
    postmortem = start_postmortem(incident, owner=by, template=None)
    postmortem.is_exercise = True
    postmortem.save(update_fields=["is_exercise"])

    def create(key: str) -> GameDay:
        game_day = GameDay(key=key, postmortem=postmortem, created_by=by, near_miss=near_miss)
        _apply(game_day, fields)
        game_day.save()
        return game_day

    try:
        game_day = with_next_key("game-day", next_game_day_key, create)
    except NoFreeKey:
        raise ValidationError({"title": "could not find a free game day key; try again"}) from None
    _write_relations(game_day, fields)
    return game_day


def _apply(game_day: GameDay, fields: GameDayFields) -> None:
    for name in _SCALARS:
        value = getattr(fields, name)
        setattr(game_day, name, value.strip() if isinstance(value, str) else value)


def _write_relations(game_day: GameDay, fields: GameDayFields) -> None:
    game_day.participants.set(fields.participants)
    game_day.services.set(fields.services)
    game_day.categories.set(fields.categories)
    postmortem = game_day.postmortem
    postmortem.collaborators.set([p for p in fields.participants if p.pk != postmortem.owner_id])
    if postmortem.title != game_day.title:
        postmortem.title = game_day.title[: taxonomy.MAX_TITLE]
        postmortem.save(update_fields=["title", "updated_at"])
    for incident in postmortem.incidents.all():
        incident.services.set(fields.services)
    # The review's search document follows at once: its exercise key (set after its first
    # revision when planned), services, collaborators and title.
    index_postmortem(postmortem)


@transaction.atomic
def update_game_day(game_day: GameDay, fields: GameDayFields) -> GameDay:
    """Change what a game day plans or recorded (its status moves with ``set_status``)."""
    locked = GameDay.objects.select_for_update().get(pk=game_day.pk)
    _check(fields, locked.status)
    _apply(locked, fields)
    locked.save()
    _write_relations(locked, fields)
    return locked


@transaction.atomic
def set_status(game_day: GameDay, target: str, *, at: datetime | None = None) -> GameDay:
    """Start, finish or abort a game day; starting and ending stamp the time when unset."""
    locked = GameDay.objects.select_for_update().get(pk=game_day.pk)
    problem = lifecycle.check_transition(locked.status, target)
    if problem:
        raise ValidationError({"status": problem})
    now = at or timezone.now()
    if target == lifecycle.RUNNING and locked.started_at is None:
        locked.started_at = now
    if target in (lifecycle.DONE, lifecycle.ABORTED) and locked.ended_at is None:
        locked.ended_at = now
    if target == lifecycle.ABORTED and locked.started_at is None:
        locked.started_at = locked.ended_at
    locked.status = target
    problems = lifecycle.time_problems(target, locked.times)
    if problems:
        raise ValidationError(problems)
    locked.save(update_fields=["status", "started_at", "ended_at", "updated_at"])
    return locked


def observations(game_day: GameDay) -> list[TimelineEvent]:
    """The events on the game day's timeline, in order (what a verification may point at)."""
    return list(
        TimelineEvent.objects.filter(incident__postmortems=game_day.postmortem_id).order_by(
            "at", "source", "source_ref"
        )
    )


@transaction.atomic
def verify_action_item(
    item: ActionItem,
    game_day: GameDay,
    *,
    note: str,
    by: User,
    observation: TimelineEvent | None = None,
) -> Verification:
    """Mark ``item`` verified by ``game_day``, with a note and optionally the observation
    that shows it. Only a done item of another review, by a game day that ran, qualifies."""
    problems: dict[str, str] = {}
    if not note.strip():
        problems["note"] = "say what the game day showed about this item"
    if item.status != "done":
        problems["item"] = f"{item.postmortem.key}/{item.key} is not done; verify done items only"
    if item.postmortem_id == game_day.postmortem_id:
        problems["item"] = "an item of this game day cannot be verified by it"
    if game_day.status not in (lifecycle.RUNNING, lifecycle.DONE):
        problems["game_day"] = f"{game_day.key} is {game_day.status}; verify once it has run"
    on_timeline = TimelineEvent.objects.filter(incident__postmortems=game_day.postmortem_id)
    if observation is not None and not on_timeline.filter(pk=observation.pk).exists():
        problems["observation"] = f"that event is not on the timeline of {game_day.key}"
    if Verification.objects.filter(item=item, game_day=game_day).exists():
        problems["item"] = f"{game_day.key} already verified this item"
    if problems:
        raise ValidationError(problems)
    return Verification.objects.create(
        item=item,
        game_day=game_day,
        note=note.strip(),
        observation=observation,
        by=by,
        at=timezone.now(),
    )


def verifications_of(item: ActionItem) -> list[Verification]:
    return list(item.verifications.select_related("game_day", "observation", "by"))


def review_of(postmortem: Postmortem) -> GameDay | None:
    """The game day a postmortem reviews, if it is an exercise."""
    if not postmortem.is_exercise:
        return None
    return GameDay.objects.filter(postmortem=postmortem).first()
