"""The learning checks' answers grouped by review, for the insights pages and the
learning-health checks: never per person, and only reviews with at least 3 answers.

A review belongs to a period by the day its learning check opened (UTC), and to the teams
and services of its postmortem's incidents. Answers carry no time, so an answer given
after a date counts for a check opened before it. A game day's review is an exercise: its
learning check is read on its own page, never counted here (docs/game-days.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q

from secondstory.accounts.models import Team
from secondstory.core import learningcheck
from secondstory.core.insights.health.model import SurveyRow
from secondstory.incidents.models import Service
from secondstory.learningcheck.models import Answer, Survey
from secondstory.postmortems.models import Postmortem


@dataclass(frozen=True, slots=True)
class ReviewAnswers:
    """The answers of one review's learning check (at least ``MIN_ANSWERS``)."""

    postmortem: str
    teams: tuple[str, ...]  # team names
    opened: datetime
    answers: tuple[dict[str, int], ...]


def _surveys(
    start: datetime, end: datetime, team: Team | None = None, service: Service | None = None
) -> list[tuple[int, int, str, datetime]]:
    """(survey id, postmortem id, key, opened) of the checks opened in [start, end)."""
    query = Survey.objects.filter(
        opened_at__gte=start, opened_at__lt=end, postmortem__is_exercise=False
    )
    # Each learning check asked whether its postmortem has an incident of the team or the
    # service (a join from the team's incidents made SQLite read all of them first).
    links = Postmortem.incidents.through.objects.filter(postmortem_id=OuterRef("postmortem_id"))
    if team is not None:
        query = query.filter(Exists(links.filter(incident__teams=team)))
    if service is not None:
        query = query.filter(Exists(links.filter(incident__services=service)))
    rows = query.values_list("pk", "postmortem_id", "postmortem__key", "opened_at")
    return list(rows)


def _teams(postmortems: list[int], field: str) -> dict[int, tuple[str, ...]]:
    through = Postmortem.incidents.through.objects.filter(
        postmortem_id__in=postmortems, incident__teams__isnull=False
    )
    teams: dict[int, set[str]] = defaultdict(set)
    for pm, team in through.values_list("postmortem_id", f"incident__teams__{field}"):
        teams[pm].add(team)
    return {pm: tuple(sorted(names)) for pm, names in teams.items()}


def reviews(
    start: datetime, end: datetime, team: Team | None = None, service: Service | None = None
) -> tuple[list[ReviewAnswers], int]:
    """The reviews whose learning check opened in [start, end) with at least 3 answers,
    and how many checks of the range had fewer (their answers are not counted anywhere)."""
    surveys = _surveys(start, end, team, service)
    answers: dict[int, list[dict[str, int]]] = defaultdict(list)
    rows = Answer.objects.filter(survey_id__in=[s[0] for s in surveys])
    for row in rows.values("survey_id", *learningcheck.CODES):
        answers[row.pop("survey_id")].append(row)
    names = _teams([s[1] for s in surveys], "name")
    kept = [
        ReviewAnswers(key, names.get(pm, ()), opened, tuple(answers[sid]))
        for sid, pm, key, opened in surveys
        if len(answers[sid]) >= learningcheck.MIN_ANSWERS
    ]
    return sorted(kept, key=lambda r: (r.opened, r.postmortem)), len(surveys) - len(kept)


def health_rows(start: datetime, end: datetime) -> list[SurveyRow]:
    """One row per learning check opened in [start, end) with at least 3 answers: how many
    answered and how many said it did not feel safe to speak (a grouped count)."""
    unsafe = Q(answers__safe_to_speak__lte=learningcheck.DISAGREE_UP_TO)
    counted = (
        Survey.objects.filter(
            opened_at__gte=start, opened_at__lt=end, postmortem__is_exercise=False
        )
        .annotate(n=Count("answers"), unsafe=Count("answers", filter=unsafe))
        .filter(n__gte=learningcheck.MIN_ANSWERS)
        .values_list("postmortem_id", "postmortem__key", "opened_at", "n", "unsafe")
    )
    rows = list(counted)
    slugs = _teams([r[0] for r in rows], "slug")
    return [SurveyRow(key, slugs.get(pm, ()), opened, n, bad) for pm, key, opened, n, bad in rows]
