"""The output step of the review: one finding per problem.

Several rules can flag the same words ("should have noticed" is a counterfactual and, with a
person as the subject, blame). A reader needs one remark per span, not a pile of them: findings
whose spans overlap are merged into one that covers all their words, carries the strongest
severity (blame, then hindsight, tone, info) and keeps every rule's explanation.

Example:
    >>> from secondstory.core.review.finding import Finding
    >>> a = Finding("hindsight", "hindsight", "hindsight", 4, 13, 1, 5, 1, 14, "s", "H.", "?")
    >>> b = Finding("counterfactual", "counterfactual", "blame", 8, 20, 1, 9, 1, 21, "s", "C.", "?")
    >>> [(f.rule, f.severity, f.start, f.end, f.all_reasons) for f in merge_overlapping([a, b])]
    [('counterfactual', 'blame', 4, 20, ('C.', 'H.'))]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from secondstory.core.review.finding import Finding
from secondstory.core.review.ruler import SEVERITIES

_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def merge_overlapping(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in document order, those whose spans overlap merged into one.

    Spans that only touch (one ends where the next starts) are separate problems.
    """
    groups: list[list[Finding]] = []
    reach = -1
    for finding in sorted(findings, key=lambda f: (f.start, f.end, f.rule)):
        if groups and finding.start < reach:
            groups[-1].append(finding)
            reach = max(reach, finding.end)
        else:
            groups.append([finding])
            reach = finding.end
    return [_merged(group) for group in groups]


def _merged(group: list[Finding]) -> Finding:
    if len(group) == 1:
        return group[0]
    ranked = sorted(group, key=lambda f: (_RANK.get(f.severity, len(_RANK)), f.start, f.rule))
    strongest, others = ranked[0], ranked[1:]
    first = min(group, key=lambda f: f.start)
    last = max(group, key=lambda f: f.end)
    also: list[str] = []
    reasons: list[str] = []
    for other in others:
        for rule, reason in zip(other.rules, other.all_reasons, strict=True):
            if rule != strongest.rule and rule not in also:
                also.append(rule)
                reasons.append(reason)
    return dataclasses.replace(
        strongest,
        start=first.start,
        end=last.end,
        line=first.line,
        column=first.column,
        end_line=last.end_line,
        end_column=last.end_column,
        also=tuple(also),
        reasons=tuple(reasons),
    )
