"""A game day in and out of the exchange format: the ``game_day`` mapping of its review.

``postmortems.records`` calls these while exporting and loading a postmortem, so a game day
travels with its review (timeline, findings, action items) in one file.
"""

from __future__ import annotations

from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.gamedays.record import GameDayRecord, VerificationRecord
from secondstory.core.invariants import Problem
from secondstory.gamedays.models import GameDay, Verification
from secondstory.incidents.models import Incident, Service, TimelineEvent
from secondstory.incidents.services import name_from_slug
from secondstory.postmortems.models import FactorCategory, Postmortem


def game_day_record(postmortem: Postmortem) -> GameDayRecord | None:
    """The game day a review holds, as plain data (None for an ordinary postmortem)."""
    if not postmortem.is_exercise:
        return None
    game_day = GameDay.objects.filter(postmortem=postmortem).first()
    if game_day is None:
        return None
    verifications = game_day.verifications.select_related("item__postmortem", "observation", "by")
    return GameDayRecord(
        key=game_day.key,
        status=game_day.status,
        hypothesis=game_day.hypothesis,
        steady_state=game_day.steady_state,
        steady_state_expected=game_day.steady_state_expected,
        fault=game_day.fault,
        blast_radius=game_day.blast_radius,
        abort_conditions=game_day.abort_conditions,
        scheduled_at=game_day.scheduled_at,
        started_at=game_day.started_at,
        ended_at=game_day.ended_at,
        participants=sorted(u.username for u in game_day.participants.all()),
        services=sorted(s.slug for s in game_day.services.all()),
        categories=sorted(c.code for c in game_day.categories.all()),
        verifies=[
            VerificationRecord(
                item=f"{v.item.postmortem.key}/{v.item.key}",
                note=v.note,
                by=v.by.username,
                at=v.at,
                observation=v.observation.ref if v.observation else "",
            )
            for v in sorted(verifications, key=lambda v: (v.at, v.pk))
        ],
    )


def game_day_people(postmortem: Postmortem) -> dict[str, User]:
    """The people a review's game day names, by username (for the file's ``people``)."""
    game_day = GameDay.objects.filter(postmortem=postmortem).first()
    if game_day is None:
        return {}
    people = {u.username: u for u in game_day.participants.all()}
    people.update({v.by.username: v.by for v in game_day.verifications.select_related("by")})
    return people


def _items(record: GameDayRecord) -> tuple[dict[int, ActionItem], list[Problem]]:
    found: dict[int, ActionItem] = {}
    problems: list[Problem] = []
    for i, verification in enumerate(record.verifies):
        postmortem_key, item_key = verification.item_parts
        item = (
            ActionItem.objects.filter(postmortem__key=postmortem_key, key=item_key)
            .select_related("postmortem")
            .first()
        )
        if item is None:
            message = f"no action item {verification.item}; load its postmortem first"
            problems.append(Problem(("game_day", "verifies", i, "item"), message))
        else:
            found[i] = item
    return found, problems


def check_game_day(record: GameDayRecord) -> list[Problem]:
    """What the database must hold for the record to load (the items it verifies)."""
    return _items(record)[1]


def load_game_day(
    record: GameDayRecord, postmortem: Postmortem, incidents: list[Incident], users: dict[str, User]
) -> GameDay:
    """Make the review an exercise and the game day what the record says (after
    ``check_game_day`` found nothing wrong)."""
    Postmortem.objects.filter(pk=postmortem.pk).update(is_exercise=True)
    Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(is_exercise=True)
    postmortem.is_exercise = True
    fields = {
        name: getattr(record, name)
        for name in (
            "status",
            "hypothesis",
            "steady_state",
            "steady_state_expected",
            "fault",
            "blast_radius",
            "abort_conditions",
            "scheduled_at",
            "started_at",
            "ended_at",
        )
    }
    game_day, _ = GameDay.objects.update_or_create(
        key=record.key,
        defaults={"postmortem": postmortem, "title": postmortem.title, **fields},
        create_defaults={
            "postmortem": postmortem,
            "title": postmortem.title,
            "created_by": postmortem.owner,
            **fields,
        },
    )
    game_day.participants.set([users[name] for name in record.participants])
    game_day.services.set(
        [
            Service.objects.get_or_create(slug=slug, defaults={"name": name_from_slug(slug)})[0]
            for slug in record.services
        ]
    )
    game_day.categories.set(FactorCategory.objects.filter(code__in=record.categories))
    _sync_verifications(game_day, record, incidents, users)
    return game_day


def _sync_verifications(
    game_day: GameDay, record: GameDayRecord, incidents: list[Incident], users: dict[str, User]
) -> None:
    items, _ = _items(record)
    events = {e.ref: e for e in TimelineEvent.objects.filter(incident__in=incidents)}
    game_day.verifications.all().delete()
    Verification.objects.bulk_create(
        Verification(
            item=items[i],
            game_day=game_day,
            note=v.note,
            observation=events.get(v.observation) if v.observation else None,
            by=users[v.by],
            at=v.at or timezone.now(),
        )
        for i, v in enumerate(record.verifies)
    )
