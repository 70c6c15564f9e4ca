"""Blameless writing figures from the reviewer's stored findings (``ReviewCache``).

The figures read the findings the editor already stored for each saved section text; they
never run the engine during a page view (a postmortem nobody opened since its last edit has
no entry and is counted under "not yet reviewed"). Words are counted by the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Length, Replace

from secondstory.core import taxonomy
from secondstory.core.insights.writing import WritingSample
from secondstory.insights.scope import Scope
from secondstory.insights.services import postmortem_ids, quarter_of_month
from secondstory.insights.sql import ArrayLength, MonthLabel
from secondstory.postmortems.models import Postmortem, ReviewCache, ReviewDismissal

NO_TEAM = "(no team)"


def _words(field: str) -> Combinable:
    """Words of one section: its spaces and line breaks, plus one unless it is empty."""
    text = F(field)
    squeezed = Replace(Replace(text, Value(" "), Value("")), Value("\n"), Value(""))
    last = Case(When(**{field: ""}, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Length(text) - Length(squeezed) + last


def writing_samples(scope: Scope) -> tuple[list[WritingSample], int, int, int]:
    """(samples per team, postmortems in scope, reviewed ones, dismissals); five queries."""
    in_scope = Postmortem.objects.filter(pk__in=postmortem_ids(scope))
    reviewed_ids = ReviewCache.objects.filter(postmortem_id__in=postmortem_ids(scope)).values(
        "postmortem_id"
    )
    words = sum(
        (_words(f) for f in taxonomy.SECTION_FIELDS[1:]), _words(taxonomy.SECTION_FIELDS[0])
    )
    query = (
        in_scope.filter(pk__in=reviewed_ids)
        .annotate(month=MonthLabel("created_at"), words=words)
        .values_list("pk", "month", "words")
        .order_by()
    )
    rows = list(query)
    found: Counter[int] = Counter(
        dict(
            ReviewCache.objects.filter(postmortem_id__in=postmortem_ids(scope))
            .values("postmortem_id")
            .annotate(n=Sum(ArrayLength("findings")))
            .values_list("postmortem_id", "n")
            .order_by()
        )
    )
    dismissed = ReviewDismissal.objects.filter(postmortem_id__in=postmortem_ids(scope)).count()
    teams: dict[int, list[str]] = defaultdict(list)
    links = (
        in_scope.filter(pk__in=reviewed_ids).values_list("pk", "incidents__teams__slug").distinct()
    )
    for postmortem, team in links:
        if team is not None:
            teams[postmortem].append(team)
    samples = []
    for postmortem, month, count in rows:
        for team in teams.get(postmortem) or [NO_TEAM]:
            samples.append(
                WritingSample(team, quarter_of_month(month), count or 0, found[postmortem])
            )
    total = in_scope.aggregate(n=Count("pk"))["n"]
    reviewed = len({pk for pk, _, _ in rows})
    return samples, total, reviewed, dismissed
