"""The learning check through the API: a review's results, an attendee's anonymous answer,
and the organisation's or a team's figures.

The same rules as the pages (docs/learning-check.md): results only from 3 answers, team and
organisation figures only over reviews with 3 answers or more, as distributions and shares,
never per person. An answer goes through the page's service (``services.answer``): it is
stored without a person, a time or an order, and only "has answered" is kept of who sent it.
Its path ends like the page's (``…/learning-check/answer``), so ``secondstory serve`` writes
no access line for it either.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from secondstory.accounts import permissions
from secondstory.accounts.models import Team
from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES, ApiError
from secondstory.api.postmortems import postmortem_for
from secondstory.api.schemas import Input
from secondstory.core import learningcheck
from secondstory.insights.scope import ScopeError, date_range
from secondstory.learningcheck import reports, services
from secondstory.learningcheck.models import Survey
from secondstory.postmortems.models import Postmortem

router = Router(tags=["learning check"])
insights_router = Router(tags=["insights"])
READ = scoped("postmortems", "read")
WRITE = scoped("postmortems", "write")
INSIGHTS = scoped("insights", "read")

Code = Literal[tuple(learningcheck.CODES)]  # type: ignore[valid-type]
Score = Field(ge=learningcheck.LOWEST, le=learningcheck.HIGHEST)


class ItemOut(Schema):
    code: Code
    statement: str
    group: Literal["review", "westrum"]
    counts: list[int] = Field(description="How many answered 1, 2, … 7 (seven numbers).")
    agree: int = Field(description="How many answered 5–7.")
    disagree: int = Field(description="How many answered 1–3.")
    mean: float | None


class ResultsOut(Schema):
    answers: int
    learned_by_someone: bool = Field(description="At least one answered 5–7 to `learned`.")
    half_would_come_again: bool = Field(description="At least half answered 5–7 to `come_again`.")
    westrum_median: float | None = Field(description="Median of the answers' Westrum scores.")
    items: list[ItemOut]


class ReviewCheckOut(Schema):
    postmortem: str
    state: Literal["open", "closed"]
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None = Field(description="When it was closed by hand, if it was.")
    answered: int = Field(description="How many of the people at the review have answered.")
    eligible: int = Field(description="How many people were at the review.")
    minimum: int = Field(description="Results are shown from this many answers.")
    results: ResultsOut | None = Field(description="Null below `minimum` answers.")


class AnswerIn(Input):
    learned: int = Score
    come_again: int = Score
    safe_to_speak: int = Score
    info_sought: int = Score
    messengers: int = Score
    shared_responsibility: int = Score
    collaboration: int = Score
    failure_inquiry: int = Score
    new_ideas: int = Score


class QuarterOut(Schema):
    quarter: str
    reviews: int
    answers: int
    learned: float | None = Field(description="Share of the answers agreeing (0–1).")
    come_again: float | None
    felt_safe: float | None
    felt_unsafe: float | None = Field(description="Share answering 1–3 to `safe_to_speak`.")
    westrum_median: float | None


class ScopeCheckOut(Schema):
    team: str | None
    from_: date = Field(alias="from")
    to: date
    minimum: int
    reviews: int = Field(description="Reviews with at least `minimum` answers, counted.")
    hidden_reviews: int = Field(description="Reviews with fewer answers, not counted anywhere.")
    results: ResultsOut | None = Field(description="Null when no review is counted.")
    quarters: list[QuarterOut]


class ScopeQuery(Schema):
    team: str | None = Field(None, max_length=100, description="Only this team's (slug).")
    from_: date | None = Field(
        None, alias="from", description="First day (default: a year before `to`)."
    )
    to: date | None = Field(None, description="Last day (default: today).")


def _survey(pm: Postmortem) -> Survey:
    survey = services.survey_of(pm)
    if survey is None:
        raise ApiError(404, f"The learning check of {pm.key} has not been opened.")
    return survey


@router.get(
    "/{key}/learning-check",
    response={200: ReviewCheckOut, **COMMON},
    auth=READ,
    summary="A review's learning check",
)
def review_check(request: HttpRequest, key: str) -> dict[str, Any]:
    """How many answered and, from 3 answers, the distribution of every statement."""
    pm = postmortem_for(request, key)
    if not permissions.may_read_learning_check(user_of(request), pm):
        raise ApiError(403, "You may not read this learning check.")
    return reports.review_report(_survey(pm))


@router.post(
    "/{key}/learning-check/answer",
    response={201: ReviewCheckOut, **WRITES},
    auth=WRITE,
    summary="Answer a review's learning check",
)
def answer_check(request: HttpRequest, key: str, payload: AnswerIn) -> Status[dict[str, Any]]:
    """Your anonymous answer, once, while the check is open, if you were at the review."""
    user = user_of(request)
    pm = postmortem_for(request, key)
    if not permissions.may_answer_learning_check(user, pm):
        raise ApiError(403, "Only the people at the review answer its learning check.")
    survey = services.survey_of(pm)
    if survey is None:
        raise ApiError(400, "The learning check of this review has not been opened.")
    services.answer(survey, user, payload.model_dump())
    return Status(201, reports.review_report(survey))


@insights_router.get(
    "/learning-check",
    response={200: ScopeCheckOut, **COMMON},
    auth=INSIGHTS,
    summary="Learning check figures",
    by_alias=True,
)
def scope_check(request: HttpRequest, params: Query[ScopeQuery]) -> dict[str, Any]:
    """The organisation's or a team's learning checks opened in the range, as the insights
    page counts them: only reviews with at least 3 answers."""
    team = None
    if params.team:
        team = Team.objects.filter(slug=params.team).first()
        if team is None:
            raise ApiError(400, f"team: no team {params.team!r}", field="team")
    given = {"from": str(params.from_ or ""), "to": str(params.to or "")}
    try:
        span = date_range(given, timezone.localdate())
    except ScopeError as error:
        raise ApiError(400, str(error), field=str(error).split(":")[0]) from None
    return reports.scope_report(span, team)
