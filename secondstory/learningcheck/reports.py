"""The learning check's results as plain data, for the API and the command line.

The same rules as the pages (docs/learning-check.md): a review's results only from
``MIN_ANSWERS`` answers, a team's or the organisation's only over reviews with that many,
always as distributions and shares, never per person. Who may read what is decided by the
callers with ``secondstory.accounts.permissions``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from statistics import median
from typing import Any

from secondstory.accounts.models import Team
from secondstory.core import learningcheck
from secondstory.core.insights.periods import DateRange, quarter_label, quarters
from secondstory.insights.scope import bounds
from secondstory.learningcheck import services
from secondstory.learningcheck.figures import ReviewAnswers, reviews
from secondstory.learningcheck.models import Survey


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def summary_json(summary: learningcheck.Summary) -> dict[str, Any]:
    """A summary of at least ``MIN_ANSWERS`` answers: every statement's distribution."""
    scores = summary.westrum_scores
    return {
        "answers": summary.answers,
        "learned_by_someone": summary.learned_by_someone,
        "half_would_come_again": summary.half_would_come_again,
        "westrum_median": round(median(scores), 2) if scores else None,
        "items": [
            {
                "code": item.code,
                "statement": item.statement,
                "group": item.group,
                "counts": list(dist.counts),
                "agree": dist.agree,
                "disagree": dist.disagree,
                "mean": round(dist.mean, 2) if dist.mean is not None else None,
            }
            for item, dist in zip(learningcheck.ITEMS, summary.items, strict=True)
        ],
    }


def _state(survey: Survey) -> str:
    return "open" if services.is_open(survey) else "closed"


def review_report(survey: Survey) -> dict[str, Any]:
    """A review's learning check: its state, how many answered and, from 3 answers, the
    distributions (``results`` is null below that)."""
    found = services.results(survey)
    return {
        "postmortem": survey.postmortem.key,
        "state": _state(survey),
        "opened_at": survey.opened_at,
        "closes_at": survey.closes_at,
        "closed_at": survey.closed_at,
        "answered": found.answered,
        "eligible": found.eligible,
        "minimum": learningcheck.MIN_ANSWERS,
        "results": summary_json(found.summary) if found.summary is not None else None,
    }


def _group(group: list[ReviewAnswers]) -> dict[str, Any]:
    answers = [a for review in group for a in review.answers]
    summary = learningcheck.summarise(answers)
    n = len(answers)
    safe = summary.item(learningcheck.SAFE) if summary is not None else None
    scores = summary.westrum_scores if summary is not None else ()
    return {
        "reviews": len(group),
        "answers": n,
        "learned": _share(summary.item("learned").agree, n) if summary else None,
        "come_again": _share(summary.item("come_again").agree, n) if summary else None,
        "felt_safe": _share(safe.agree, n) if safe else None,
        "felt_unsafe": _share(safe.disagree, n) if safe else None,
        "westrum_median": round(median(scores), 2) if scores else None,
    }


def scope_report(span: DateRange, team: Team | None = None) -> dict[str, Any]:
    """The learning checks opened in ``span`` (by their UTC day, as on the insights page),
    of the organisation or of ``team``: only reviews with at least 3 answers count; how many
    others there were is said, nothing of them is shown."""
    start, end = bounds(span)
    found, hidden = reviews(start, end, team)
    by_quarter: dict[str, list[ReviewAnswers]] = defaultdict(list)
    for review in found:
        by_quarter[quarter_label(review.opened.astimezone(UTC).date())].append(review)
    summary = learningcheck.summarise([a for r in found for a in r.answers])
    return {
        "team": team.slug if team is not None else None,
        "from": span.start,
        "to": span.end,
        "minimum": learningcheck.MIN_ANSWERS,
        "reviews": len(found),
        "hidden_reviews": hidden,
        "results": summary_json(summary) if summary is not None else None,
        "quarters": [{"quarter": q, **_group(by_quarter[q])} for q in quarters(span)],
    }


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)} %"


def _results_text(results: dict[str, Any] | None, minimum: int) -> list[str]:
    if results is None:
        return [f"Fewer than {minimum} answers: results hidden."]
    n = results["answers"]
    lines = [
        f"Someone learned: {'yes' if results['learned_by_someone'] else 'no'}; "
        f"half would come again: {'yes' if results['half_would_come_again'] else 'no'}; "
        f"Westrum score median: {results['westrum_median']}",
        "",
        f"{'statement':<26} {'1':>3} {'2':>3} {'3':>3} {'4':>3} {'5':>3} {'6':>3} {'7':>3}"
        f" {'agree':>6} {'disagree':>8} {'mean':>5}",
    ]
    for item in results["items"]:
        counts = " ".join(f"{c:>3}" for c in item["counts"])
        lines.append(
            f"{learningcheck.item(item['code']).short:<26} {counts}"
            f" {_percent(_share(item['agree'], n)):>6} {_percent(_share(item['disagree'], n)):>8}"
            f" {item['mean'] if item['mean'] is not None else '–':>5}"
        )
    return lines


def _when(value: datetime | date | None) -> str:
    return "" if value is None else value.isoformat()


def review_text(report: dict[str, Any]) -> str:
    lines = [
        f"Learning check of {report['postmortem']}: {report['state']}, opened "
        f"{_when(report['opened_at'])}",
        f"{report['answered']} of {report['eligible']} people have answered.",
        "",
        *_results_text(report["results"], report["minimum"]),
    ]
    return "\n".join(lines) + "\n"


def scope_text(report: dict[str, Any]) -> str:
    who = f"team {report['team']}" if report["team"] else "the organisation"
    lines = [
        f"Learning check of {who}, {_when(report['from'])} to {_when(report['to'])}",
        f"{report['reviews']} reviews counted; {report['hidden_reviews']} with fewer than "
        f"{report['minimum']} answers are not counted.",
        "",
        *_results_text(report["results"], report["minimum"]),
        "",
        f"{'quarter':<8} {'reviews':>7} {'answers':>7} {'learned':>7} {'again':>6}"
        f" {'safe':>5} {'unsafe':>6} {'Westrum':>7}",
    ]
    for row in report["quarters"]:
        westrum = row["westrum_median"] if row["westrum_median"] is not None else "–"
        lines.append(
            f"{row['quarter']:<8} {row['reviews']:>7} {row['answers']:>7}"
            f" {_percent(row['learned']):>7} {_percent(row['come_again']):>6}"
            f" {_percent(row['felt_safe']):>5} {_percent(row['felt_unsafe']):>6} {westrum:>7}"
        )
    return "\n".join(lines) + "\n"
