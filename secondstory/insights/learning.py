"""The learning check on the insights pages: answers per item, per quarter and per team.

Only reviews with at least 3 answers are counted (the same rule as a review's own page),
never a person; read on every view (a few grouped reads of small tables, not cached with
the other figures, so a new answer shows at once).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from statistics import median

from secondstory.core import learningcheck
from secondstory.core.insights.periods import quarter_label, quarters
from secondstory.insights import charts
from secondstory.insights.charts import Cell, Chart
from secondstory.insights.scope import Scope, bounds
from secondstory.learningcheck.figures import ReviewAnswers, reviews

SCORES = [str(value) for value, _ in learningcheck.SCALE]
#: Axis labels short enough for nine bars side by side (the table gives the full names).
AXIS = {
    "learned": "learned",
    "come_again": "again",
    "safe_to_speak": "safe",
    "info_sought": "info",
    "messengers": "messenger",
    "shared_responsibility": "shared",
    "collaboration": "collab.",
    "failure_inquiry": "inquiry",
    "new_ideas": "ideas",
}
GROUP_HEADER = [
    "reviews",
    "answers",
    "learned something",
    "would come again",
    "felt safe to speak",
    "felt unsafe (1–3)",
    "Westrum score median",
]


def _percent(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "–"


def _group_cells(group: list[ReviewAnswers]) -> list[Cell]:
    answers = [a for review in group for a in review.answers]
    summary = learningcheck.summarise(answers)
    if summary is None:
        return [len(group), len(answers), None, None, None, None, None]
    safe, n = summary.item(learningcheck.SAFE), summary.answers
    scores = summary.westrum_scores
    return [
        len(group),
        n,
        _percent(summary.item("learned").agree, n),
        _percent(summary.item("come_again").agree, n),
        _percent(safe.agree, n),
        _percent(safe.disagree, n),
        round(median(scores), 2) if scores else None,
    ]


def items_chart(answers: list[dict[str, int]]) -> Chart:
    """Counts per score of every statement (of a review, or of the reviews in scope)."""
    summary = learningcheck.summarise(answers)
    rows: list[list[Cell]] = []
    cells: list[list[float]] = []
    for item in learningcheck.ITEMS:
        dist = summary.item(item.code) if summary is not None else None
        counts = list(dist.counts) if dist is not None else [0] * len(SCORES)
        n = sum(counts)
        mean = round(dist.mean, 2) if dist is not None and dist.mean is not None else None
        agree = dist.agree if dist is not None else 0
        disagree = dist.disagree if dist is not None else 0
        rows.append([item.short, n, *counts, _percent(agree, n), _percent(disagree, n), mean])
        cells.append([float(c) for c in counts])
    chart = Chart(
        "learning-check-answers",
        "Learning check: answers per statement",
        "How many answered each score, from 1 (strongly disagree) to 7 (strongly agree), over "
        "the reviews in scope with at least 3 answers; agree is 5–7, disagree 1–3.",
        ["statement", "answers", *SCORES, "agree (5–7)", "disagree (1–3)", "mean"],
        rows,
    )
    labels = [AXIS[item.code] for item in learningcheck.ITEMS]
    chart.svg = charts.stacked_bars(chart.id, chart.title, chart.definition, labels, SCORES, cells)
    return chart


def _by(
    chart_id: str, title: str, key: str, labels: list[str], groups: dict[str, list[ReviewAnswers]]
) -> Chart:
    chart = Chart(
        chart_id,
        title,
        "Shares of the answers agreeing (5–7), and answering 1–3 to 'it felt safe to speak'; "
        "the Westrum score of an answer is the mean of its six team statements.",
        [key, *GROUP_HEADER],
        [[label, *_group_cells(groups[label])] for label in labels],
    )
    shares = []
    for label in labels:
        answers = [a for r in groups[label] for a in r.answers]
        safe = sum(1 for a in answers if a[learningcheck.SAFE] >= learningcheck.AGREE_FROM)
        shares.append(round(100 * safe / len(answers), 1) if answers else 0.0)
    chart.svg = charts.bars(
        chart.id, chart.title, "Share of answers saying it felt safe to speak (%).", labels, shares
    )
    return chart


def learning_check_charts(scope: Scope) -> list[Chart]:
    start, end = bounds(scope.span)
    found, hidden = reviews(start, end, scope.team, scope.service)
    by_quarter: dict[str, list[ReviewAnswers]] = defaultdict(list)
    by_team: dict[str, list[ReviewAnswers]] = defaultdict(list)
    for review in found:
        by_quarter[quarter_label(review.opened.astimezone(UTC).date())].append(review)
        for team in review.teams:
            by_team[team].append(review)
    items = items_chart([a for r in found for a in r.answers])
    periods = _by(
        "learning-check-by-quarter",
        "Learning check by quarter",
        "quarter",
        quarters(scope.span),
        by_quarter,
    )
    result = [items, periods]
    if scope.team is None:
        teams = sorted(by_team)
        result.append(
            _by("learning-check-by-team", "Learning check by team", "team", teams, by_team)
        )
    note = (
        f"{hidden} reviews with fewer than {learningcheck.MIN_ANSWERS} answers are not counted: "
        "results hidden."
    )
    if hidden:
        items.notes.append(note)
    return result
