"""Milestone-order problems in the words of the incident form, for people rather than files.

The exchange format and ``secondstory load`` keep the core's message, which names the
``milestone_order_note`` field; the browser says the same in plain language with the
milestones' names and times as the form shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from secondstory.core.invariants import OrderProblem, Problem
from secondstory.incidents.models import MilestoneKind

NOTE_LABEL = "Why the milestones are out of the usual order"


def _when(at: datetime | None) -> str:
    if at is None:
        return "?"
    offset = at.utcoffset()
    if offset is None or not offset:
        return f"{at:%-d %b %Y %H:%M} UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    zone = f"UTC{sign}{hours:02d}:{rest:02d}"
    return f"{at:%-d %b %Y %H:%M} {zone}"


def plain_messages(problems: Sequence[Problem]) -> list[str]:
    """One sentence per problem; order problems name both milestones and their times."""
    order = [p for p in problems if isinstance(p, OrderProblem)]
    codes = {code for p in order for code in (p.earlier, p.later)}
    names = dict(MilestoneKind.objects.filter(code__in=codes).values_list("code", "name"))
    messages = []
    for problem in problems:
        if not isinstance(problem, OrderProblem):
            messages.append(problem.message)
            continue
        later = names.get(problem.later, problem.later)
        earlier = names.get(problem.earlier, problem.earlier)
        messages.append(
            f"{later[:1].upper()}{later[1:]} ({_when(problem.later_at)}) is earlier than "
            f"{earlier} ({_when(problem.earlier_at)}), though {earlier} usually comes first. "
            f"Check both times; if it really happened in this order, say why under "
            f"“{NOTE_LABEL}”."
        )
    return messages
