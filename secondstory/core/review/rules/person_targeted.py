"""person-targeted: an action item that asks people to change instead of the system.

Runs only in action items (task-list items, and sentences under an action-item, follow-up or
recommendations heading); the judgement itself is
:func:`secondstory.core.review.person_targeted.targets_people`.
"""

from __future__ import annotations

from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.person_targeted import people_spans
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    if ctx.is_recommendation:
        # One finding per item: its first people-aimed phrase.
        first = next(people_spans(text), None)
        if first is not None:
            yield first


RULE = Rule(
    id="person-targeted",
    category="person-targeted",
    severity="tone",
    description="An action item that asks people to try harder (retrain, remind, be careful).",
    message=(
        "This action item asks people to change — retrain, remind, be more careful — and "
        "leaves the conditions that made the mistake easy as they were; people under the same "
        "pressure will do the same again."
    ),
    suggestion=(
        "What could change in the system — a check, a guard, a default, an alert, automation, "
        "a clearer tool — so that the next person in the same situation does not have to "
        "remember?"
    ),
    find=_find,
    in_recommendations=True,
)
