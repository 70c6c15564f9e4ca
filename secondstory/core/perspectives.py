"""First-person accounts and interview notes: their structure, in plain Python.

Before a review meeting each participant tells, in their own words, what they saw, expected,
assumed and did (and why it made sense at the time), what felt normal and what surprised them.
A facilitator's interview notes follow the same prompts, written about the interviewee.
Accounts are kept side by side, never merged: this module only knows one account at a time.

>>> [p.key for p in PROMPTS]
['saw', 'expected', 'assumed', 'did', 'normal', 'surprised']
>>> answers_from({"saw": " The queue graph climbing. "})["saw"]
'The queue graph climbing.'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the reviewer is imported when an account is reviewed, not at start-up
    from secondstory.core.review import Finding, ReviewConfig

ACCOUNT = "account"
INTERVIEW = "interview"
KINDS = (ACCOUNT, INTERVIEW)

# One answer is at most this long (the same bound as a near-miss report's text).
MAX_ANSWER = 20_000


@dataclass(frozen=True, slots=True)
class Prompt:
    """One question of an account: its key, the author's wording and the interviewer's."""

    key: str
    label: str
    interview_label: str
    help: str


PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "saw",
        "What I saw",
        "What they saw",
        "Alerts, dashboards, messages, logs: what reached you, and when.",
    ),
    Prompt(
        "expected",
        "What I expected",
        "What they expected",
        "What you thought would happen next, before you knew how it ended.",
    ),
    Prompt(
        "assumed",
        "What I assumed",
        "What they assumed",
        "What you took for granted about the systems, the tools or the other people.",
    ),
    Prompt(
        "did",
        "What I did and why it made sense at the time",
        "What they did and why it made sense at the time",
        "Your steps, and what made each one look like the right move then.",
    ),
    Prompt(
        "normal",
        "What felt normal",
        "What felt normal to them",
        "What looked like an ordinary day, an ordinary alert or a usual workaround.",
    ),
    Prompt(
        "surprised",
        "What surprised me",
        "What surprised them",
        "What you did not expect, then or since.",
    ),
)
PROMPT_KEYS = tuple(p.key for p in PROMPTS)
_BY_KEY = {p.key: p for p in PROMPTS}


class AccountError(ValueError):
    """An answer that cannot be kept; ``field`` names the prompt."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def prompt(key: str) -> Prompt:
    """The prompt with ``key``; AccountError names an unknown one."""
    try:
        return _BY_KEY[key]
    except KeyError:
        known = ", ".join(PROMPT_KEYS)
        raise AccountError(key, f"no such prompt (known: {known})") from None


def label(key: str, kind: str = ACCOUNT) -> str:
    """The heading of a prompt in an account (first person) or interview notes (third).

    >>> label("did", INTERVIEW)
    'What they did and why it made sense at the time'
    """
    found = prompt(key)
    return found.interview_label if kind == INTERVIEW else found.label


def answers_from(values: Mapping[str, str]) -> dict[str, str]:
    """Every prompt's answer, stripped; unknown prompts and answers too long are refused.

    >>> answers_from({"mood": "fine"})
    Traceback (most recent call last):
    ...
    secondstory.core.perspectives.AccountError: mood: no such prompt (known: saw, expected, assumed, did, normal, surprised)
    """  # noqa: E501
    for key in values:
        prompt(key)
    answers = {key: (values.get(key) or "").strip() for key in PROMPT_KEYS}
    for key, text in answers.items():
        if len(text) > MAX_ANSWER:
            raise AccountError(
                key, f"{len(text):,} characters; an answer holds at most {MAX_ANSWER:,}"
            )
    return answers


def is_blank(answers: Mapping[str, str]) -> bool:
    """Whether no prompt has an answer (a blank account is not kept)."""
    return not any((answers.get(key) or "").strip() for key in PROMPT_KEYS)


def changed_prompts(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The prompts whose answers differ, in prompt order (what a revision changed).

    >>> changed_prompts({"saw": "a"}, {"saw": "a", "did": "b"})
    ['did']
    """
    return [k for k in PROMPT_KEYS if (before.get(k) or "") != (after.get(k) or "")]


def coach(
    answers: Mapping[str, str],
    *,
    names: Iterable[str] = (),
    config: ReviewConfig | None = None,
) -> dict[str, list[Finding]]:
    """The gentle review of each answer (see ``core.review.first_person``), by prompt.

    Each answer is reviewed on its own, so a finding's offsets index that answer's text.

    >>> found = coach({"did": "I should have checked the canary first."})
    >>> [f.rule for f in found["did"]]
    ['self-blame']
    >>> coach({"did": "I restarted the service because the queue kept growing."})["did"]
    []
    """
    from secondstory.core.review.first_person import review_account

    return {
        key: review_account(answers.get(key) or "", names=names, config=config)
        for key in PROMPT_KEYS
    }
