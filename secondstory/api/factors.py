"""``/api/postmortems/{key}/factors``: the contributing factors of a postmortem.

Reading: ``postmortems:read``; adding and changing: ``postmortems:write`` and the right to
edit the postmortem. A change carries the ``version`` it started from (409 when stale).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES, ApiError
from secondstory.api.postmortems import postmortem_for
from secondstory.api.schemas import Input
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import check_base, fingerprint
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import add_factor, update_factor

router = Router(tags=["factors"])
READ = scoped("postmortems", "read")
WRITE = scoped("postmortems", "write")
MAX_FACTOR_TEXT = 20_000


class FactorOut(Schema):
    key: str
    category: str
    description: str
    evidence: str
    events: list[int] = Field(description="Ids of the timeline events it links.")
    version: str


class FactorIn(Input):
    category: str = Field(max_length=50, description="A factor category code.")
    description: str = Field(min_length=1, max_length=MAX_FACTOR_TEXT)
    evidence: str = Field("", max_length=MAX_FACTOR_TEXT)
    events: list[int] = Field(default_factory=list, max_length=500)


class FactorChange(FactorIn):
    version: str = Field(max_length=64, description="The factor's version when you read it.")


def _state(factor: ContributingFactor) -> tuple[Any, ...]:
    """The same fingerprinted state as the factor form (postmortems.factor_views)."""
    events = sorted(e.pk for e in factor.events.all())
    return (factor.category.code, factor.description, factor.evidence, events)


def factor_json(factor: ContributingFactor) -> dict[str, Any]:
    return {
        "key": factor.key,
        "category": factor.category.code,
        "description": factor.description,
        "evidence": factor.evidence,
        "events": sorted(e.pk for e in factor.events.all()),
        "version": fingerprint(*_state(factor)),
    }


def _fields(pm: Postmortem, payload: FactorIn) -> dict[str, Any]:
    category = FactorCategory.objects.filter(code=payload.category).first()
    if category is None:
        codes = ", ".join(FactorCategory.objects.values_list("code", flat=True))
        raise ApiError(
            400, f"category: {payload.category!r} is not one of {codes}", field="category"
        )
    wanted = set(payload.events)
    events = list(TimelineEvent.objects.filter(pk__in=wanted, incident__postmortems=pm))
    if len(events) != len(wanted):
        missing = sorted(wanted - {e.pk for e in events})[0]
        raise ApiError(
            400, f"events: no event {missing} on this postmortem's timeline", field="events"
        )
    return {
        "category": category,
        "description": payload.description,
        "evidence": payload.evidence,
        "events": events,
    }


def _factors(pm: Postmortem) -> Any:
    return pm.factors.select_related("category").prefetch_related("events").order_by("position")


@router.get(
    "/{key}/factors",
    response={200: list[FactorOut], **COMMON},
    auth=READ,
    summary="A postmortem's factors",
)
def list_factors(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    return [factor_json(f) for f in _factors(postmortem_for(request, key))]


@router.post(
    "/{key}/factors", response={201: FactorOut, **WRITES}, auth=WRITE, summary="Add a factor"
)
def create_factor(request: HttpRequest, key: str, payload: FactorIn) -> Status[dict[str, Any]]:
    pm = postmortem_for(request, key, action="edit")
    with transaction.atomic():
        factor = add_factor(pm, **_fields(pm, payload))
        record_revision(
            pm, author=user_of(request), summary=f"Added contributing factor {factor.key}"
        )
    return Status(201, factor_json(_factors(pm).get(pk=factor.pk)))


@router.put(
    "/{key}/factors/{factor_key}",
    response={200: FactorOut, **WRITES},
    auth=WRITE,
    summary="Change a factor",
)
def change_factor(
    request: HttpRequest, key: str, factor_key: str, payload: FactorChange
) -> dict[str, Any]:
    pm = postmortem_for(request, key, action="edit")
    fields = _fields(pm, payload)
    with transaction.atomic():
        factor = _factors(pm).select_for_update(of=("self",)).filter(key=factor_key).first()
        if factor is None:
            raise ApiError(404, f"No factor {factor_key!r} on {pm.key}.")
        check_base(
            payload.version,
            *_state(factor),
            what=f"Contributing factor {factor.key}",
            yours=payload.description,
        )
        update_factor(factor, **fields)
        record_revision(
            pm, author=user_of(request), summary=f"Changed contributing factor {factor.key}"
        )
    return factor_json(_factors(pm).get(pk=factor.pk))
