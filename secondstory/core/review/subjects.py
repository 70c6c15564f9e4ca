"""Is the actor of a clause a person (name, pronoun, role, team) or a system?

The rules that need a human subject ask :func:`is_human_subject` about the text before the
trigger word. The check is deliberately shallow (the last noun phrase of the clause), which is
enough for postmortem prose and keeps the reviewer fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from secondstory.core.review import vocabulary
from secondstory.core.review.vocabulary import FIRST_NAMES

PRONOUNS = vocabulary.PRONOUNS
ROLES = vocabulary.ROLES
# Words that look like names at a sentence start but are systems or function words.
_NOT_NAMES = vocabulary.NOT_NAMES
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2014\u2013]|\s-\s|\b(?:and|but|or|so|because|since|when|while|after|before|"
    r"although|though|which|that|then|where|until|if|once|as)\b",
    re.I,
)
_SKIP = vocabulary.SKIP
_VERBISH = vocabulary.VERBISH
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_LABEL = re.compile(r"^\W*[\w ]{1,30}:\s+")
_TIME = re.compile(r"^\s*\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*(?:UTC|Z)?\s*")


@dataclass(frozen=True, slots=True)
class People:
    """Names and teams known to count as people, lower-cased for matching."""

    names: frozenset[str] = field(default_factory=frozenset)
    teams: tuple[str, ...] = ()

    @classmethod
    def of(cls, names: Iterable[str] = (), teams: Iterable[str] = ()) -> People:
        words = {part.lower() for n in names for part in n.split() if part}
        return cls(frozenset(words), tuple(t.lower() for t in teams if t))


_NOUN_SUFFIXES = (
    "tion",
    "sion",
    "ing",
    "ment",
    "ness",
    "ity",
    "er",
    "ers",
    "ance",
    "ence",
    "age",
    "ics",
    "ware",
    "base",
    "ly",
    "s",
    "ry",
    "cy",
    "al",
    "ure",
    "work",
    "flow",
    "ck",
    # Adjectives and abstract nouns that open sentences ("Successive", "Previous").
    "ive",
    "ous",
    "ful",
    "ble",
    "ent",
    "ant",
    "ary",
    "ory",
    "ism",
    "ic",
    "ed",
    "ish",
)


def is_name(word: str, people: People) -> bool:
    """A known or common first name, or an unknown capitalised word that looks like a name.

    An unknown capitalised word is a name unless it is a known system or function word or
    ends like a common noun ("Replication", "Scheduler", "Alerts").
    """
    possessive = word.endswith(("'s", "’s"))
    lower = word[:-2].lower() if possessive else word.lower()
    if lower in people.names or (word[:1].isupper() and lower in FIRST_NAMES):
        return True
    if not (word[:1].isupper() and word[1:2].islower()) or lower in _NOT_NAMES:
        return False
    bare = lower.replace("-", "")
    if not bare.isalpha() or (not word.replace("-", "")[1:].islower()):
        return False
    return possessive or not lower.endswith(_NOUN_SUFFIXES)


# Words that may stand before a name: determiners, possessives and role nouns.
_APPOSITION_OK = (
    frozenset("the a an our their his her my your its this that whoever".split())  # noqa: SIM905
    | vocabulary.ROLES
)


def _unknown_capitalised(word: str, people: People) -> bool:
    """A capitalised word taken for a name only by its shape (not a known first name)."""
    bare = _bare(word)
    return (
        word[:1].isupper()
        and bare not in FIRST_NAMES
        and bare not in people.names
        and bare not in PRONOUNS
        and bare not in ROLES
    )


def _bare(word: str) -> str:
    """A word lower-cased without its possessive ending: "On-call's" -> "on-call"."""
    lower = word.lower()
    return lower[:-2] if lower.endswith(("'s", "’s")) else lower


def _is_person_word(word: str, people: People) -> bool:
    lower = word.lower()
    if lower.endswith(("'s", "’s")):
        lower = lower[:-2]
    return lower in PRONOUNS or lower in ROLES or is_name(word, people)


_PREPOSITIONS = vocabulary.PREPOSITIONS
# Role words that also name software ("the Kubernetes operator", "the lock owner").
_SOFTWARE_ROLES = frozenset(
    "operator operators user users owner owners admin admins lead leads author authors".split()  # noqa: SIM905
)
_TECHNICAL = vocabulary.TECHNICAL_MODIFIERS
_MEMBERS = frozenset(["member", "members"])
_QUANTIFIERS = vocabulary.QUANTIFIERS


def _head_part(words: list[str]) -> list[str]:
    """The words up to the head noun: "the SRE on duty" -> "the SRE"; "one of the DBAs" ->
    "the DBAs"; "the engineer who deployed it" -> "the engineer"."""
    lowered = [w.lower() for w in words]
    if "who" in lowered:
        words, lowered = words[: lowered.index("who")], lowered[: lowered.index("who")]
    for i, w in enumerate(lowered[1:], start=1):
        if w in _PREPOSITIONS:
            if w == "of" and lowered[i - 1] in _QUANTIFIERS:
                return words[i + 1 :]
            return words[:i]
    return words


def is_human_phrase(phrase: str, people: People) -> bool:
    """Whether a short noun phrase names a person, pronoun, role or team.

    Example:
        >>> is_human_phrase("the on-call engineer", People()), is_human_phrase("the lock", People())
        (True, False)
    """
    phrase = _TIME.sub("", phrase)
    lower = phrase.lower().strip()
    if any(lower.endswith(team) for team in people.teams):
        return True
    words = [
        w
        for w in _WORD.findall(phrase)
        if w.lower() not in _SKIP and not (w.endswith("ly") and w.islower())
    ]
    if not words:
        return False
    whole = len(words)
    words = _head_part(words)
    if not words:
        return False
    head = words[-1]
    if (
        _unknown_capitalised(head, people)
        and (
            len(words) < whole  # "Influx of requests", "Use of different rulers"
            or (
                len(words) >= 2 and words[-2][:1].isupper() and words[-2].lower() not in FIRST_NAMES
            )
            # "the community site Supermarket", "the tool Jenkins"
            or (len(words) >= 2 and words[-2].islower() and words[-2] not in _APPOSITION_OK)
        )
    ):
        return False  # a title-case name of a thing ("Service Control", "Transaction ID")
    before = words[-2].lower() if len(words) >= 2 else ""
    if head.lower() == "one" and before == "no":
        return True
    if head.lower() in _MEMBERS:
        return before in ROLES  # "a team member", but not "the cluster members"
    if head.lower() in _SOFTWARE_ROLES and before in _TECHNICAL:
        return False  # "the Kubernetes operator", "the database user"
    if _is_person_word(head, people):
        # "The" at a sentence start makes the next capitalised word a system ("The Router").
        return not (
            len(words) >= 2
            and words[-2].lower() in {"the", "a", "an"}
            and _bare(head) not in ROLES
            and _bare(head) not in people.names
        )
    return False


def subject_before(text: str, pos: int) -> str:
    """The clause text before ``pos`` (the trigger), cut at the nearest clause break.

    After a relative pronoun ("a change that skipped …") the clause's subject is the noun
    phrase before the pronoun.
    """
    window = text[max(0, pos - 80) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if not breaks:
        return window
    last = breaks[-1]
    if last.group(0).lower() in {"that", "which"} and not window[last.end() :].strip():
        before = window[: last.start()]
        cut = max((m.end() for m in _CLAUSE_BREAK.finditer(before)), default=0)
        return before[cut:]
    return window[last.end() :]


def is_human_subject(text: str, pos: int, people: People) -> bool:
    """Whether the actor of the verb at ``pos`` is human.

    When the clause before the verb is empty ("… and failed to check"), the sentence subject
    (its first words) decides.

    Example:
        >>> is_human_subject("Bob failed to check", 4, People())
        True
        >>> is_human_subject("The health check failed to detect it", 17, People())
        False
    """
    phrase = subject_before(text, pos)
    if _WORD.search(phrase):
        if phrase.strip().lower() in _RELATIVE_PERSON:
            return True  # "…, who incorrectly believed": "who" always stands for a person
        return is_human_phrase(phrase, people)
    return sentence_subject_is_human(text[:pos], people)


_RELATIVE_PERSON = frozenset(["who", "whom"])
# A sentence adverb or a short prepositional phrase before the subject, closed by a comma.
_LEAD_IN = re.compile(
    r"^\W*(?:(?:first|second|third|fourth|finally|next|then|later|also|additionally|moreover|"
    r"furthermore|meanwhile|however|overall|initially|eventually|subsequently|separately|"
    r"similarly|consequently|unfortunately|fortunately|luckily|ultimately|in\s+addition|"
    r"as\s+a\s+result|at\s+first|in\s+the\s+end)|(?:in|on|at|by|during|after|before|since|"
    r"for|over|within|around|from|until|following|shortly\s+after|just\s+before)\b[^,.;]{1,60})"
    r"\s*,\s*",
    re.I,
)
# The opening of a sentence that holds its subject: the first six words after a time and a
# label are well inside it, and reading no further keeps each call bounded.
_OPENING = 300


def sentence_subject_is_human(text: str, people: People) -> bool:
    """The first noun phrase of a sentence (up to its first verb-like word) is human."""
    opening = _LABEL.sub("", _TIME.sub("", text[:_OPENING]))
    opening = _LEAD_IN.sub("", opening)  # "First, …", "In 2013, …", "However, …"
    cut = _CLAUSE_BREAK.search(opening)
    if cut is not None and _WORD.search(opening, 0, cut.start()):
        opening = opening[: cut.start()]  # "An S3 team member, while debugging, …"
    words = [m.group(0) for m in islice(_WORD.finditer(opening), 6)]
    phrase: list[str] = []
    for w in words:
        lw = w.lower()
        if phrase and (lw.endswith(("ed", "ing")) or lw in _VERBISH or lw in {"the", "a", "an"}):
            break
        phrase.append(w)
    return bool(phrase) and is_human_phrase(" ".join(phrase), people)


def human_prefix(phrase: str, people: People) -> int:
    """Length of the shortest opening of ``phrase`` that names a person, or 0.

    Example:
        >>> human_prefix("the operator on shift", People())
        12
    """
    for m in list(_WORD.finditer(phrase))[:4]:
        if is_human_phrase(phrase[: m.end()], people):
            return m.end()
    return 0


def starts_with_human(phrase: str, people: People) -> bool:
    """Whether a phrase opens with a person ("whoever was on call", "the DBA on shift")."""
    return human_prefix(phrase, people) > 0
