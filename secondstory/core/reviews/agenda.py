"""The agenda of a review meeting, generated from the draft as plain data.

The agenda lists what the meeting should spend its time on: the open questions and the
surprises the writers noted, the contributing factors that no timeline event supports yet,
and the action items that have no active owner. Sections are Markdown; each list item (or,
without a list, each paragraph) is one point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# "- x", "* x", "+ x", "1. x", "1) x", optionally a task box "[ ]" / "[x]".
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(?P<text>.*)$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


@dataclass(frozen=True, slots=True)
class FactorPoint:
    key: str
    description: str
    events: int


@dataclass(frozen=True, slots=True)
class ItemPoint:
    key: str
    title: str
    owner: str
    owner_active: bool


@dataclass(frozen=True, slots=True)
class Agenda:
    open_questions: list[str] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)
    factors_without_evidence: list[FactorPoint] = field(default_factory=list)
    items_without_owner: list[ItemPoint] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.open_questions
            or self.surprises
            or self.factors_without_evidence
            or self.items_without_owner
        )

    @property
    def size(self) -> int:
        return (
            len(self.open_questions)
            + len(self.surprises)
            + len(self.factors_without_evidence)
            + len(self.items_without_owner)
        )


def points(markdown: str) -> list[str]:
    """The points of a section: its list items, or its paragraphs when it has no list.

    A list item's continuation lines join it; headings are left out.

    >>> points("- Why did the alert wait?\\n- Who owns the pool size?")
    ['Why did the alert wait?', 'Who owns the pool size?']
    >>> points("Why did the alert wait?\\n\\nWho owns it?")
    ['Why did the alert wait?', 'Who owns it?']
    """
    lines = [line for line in markdown.splitlines() if not _HEADING.match(line)]
    if any(_LIST_ITEM.match(line) for line in lines):
        return _list_items(lines)
    paragraphs = re.split(r"\n\s*\n", "\n".join(lines))
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def _list_items(lines: Iterable[str]) -> list[str]:
    found: list[list[str]] = []
    for line in lines:
        match = _LIST_ITEM.match(line)
        if match:
            found.append([match.group("text")])
        elif line.strip() and found:
            found[-1].append(line)
        elif not line.strip() and found and found[-1][-1] != "":
            found[-1].append("")
    texts = (" ".join(" ".join(parts).split()) for parts in found)
    return [text for text in texts if text]


def agenda(
    *,
    open_questions: str,
    surprises: str,
    factors: Iterable[FactorPoint],
    items: Iterable[ItemPoint],
) -> Agenda:
    """The agenda from a draft's sections, its factors and its open action items.

    >>> a = agenda(open_questions="- Why 10 minutes?", surprises="",
    ...            factors=[FactorPoint("F1", "No pool limit check", 0)],
    ...            items=[ItemPoint("A1", "Add a check", "Ada", False)])
    >>> a.open_questions, [f.key for f in a.factors_without_evidence], a.size
    (['Why 10 minutes?'], ['F1'], 3)
    """
    return Agenda(
        open_questions=points(open_questions),
        surprises=points(surprises),
        factors_without_evidence=[f for f in factors if f.events == 0],
        items_without_owner=[i for i in items if not i.owner_active],
    )


def same_person(names: Iterable[str], actors: Iterable[str]) -> bool:
    """Whether any of a person's ``names`` (username, display name …) is one of the
    timeline's ``actors``, compared without case and extra spaces.

    >>> same_person(["alice", "Alice Owner"], ["Deploy bot", "alice owner"])
    True
    """
    wanted = {" ".join(n.split()).casefold() for n in names if n.strip()}
    return any(" ".join(a.split()).casefold() in wanted for a in actors)
