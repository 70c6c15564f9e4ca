"""Turn a question in plain words into search queries (no Django).

``understand(question, names)`` drops punctuation, stop words and question words
("has", "ever", "the", "why" …), joins a few split compounds ("timed out" →
timeout), and turns the service and team names it recognises (``names``: what
the library knows, e.g. ``[Name("service", "checkout-api", "Checkout API")]``)
into filters. Stemming ("deploys" / "deploy") is left to the search engines.

``attempts(question)`` lists the queries to try, strictest first: every word with
the filters, then the recognised names as plain words instead of filters, then
each query missing one word (most specific words kept longest), so a question
with one word the library never uses still finds its answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from secondstory.core.search.query import MAX_QUERY, Filter, Query, Term

#: Words that carry no subject: question words, auxiliaries, pronouns, articles,
#: prepositions and vague time words ("ever", "recently").
_STOP = """
    a about above after again against all also am an and any anyone anything are as at
    be because been before being between both but by can could did do does doing done
    during each ever every few for from had has have having he her here hers him his how
    i if in into is it its itself just me more most my no nor not now of off on once only
    or other our ours out over own same she should so some someone something such than
    that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    ago anybody recently last lately happen happened happens time times occur occurred
    tell show find know let us
"""
STOP_WORDS = frozenset(_STOP.split())
#: Split compounds the postmortems write as one word; the engines stem only suffixes.
COMPOUNDS = {
    ("timed", "out"): "timeout",
    ("times", "out"): "timeout",
    ("time", "out"): "timeout",
    ("failed", "over"): "failover",
    ("fail", "over"): "failover",
    ("rolled", "back"): "rollback",
    ("roll", "back"): "rollback",
    ("rolling", "back"): "rollback",
    ("back", "up"): "backup",
    ("set", "up"): "setup",
    ("run", "out"): "exhausted",
    ("ran", "out"): "exhausted",
    ("running", "out"): "exhausted",
}
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12


class QuestionError(ValueError):
    """The question cannot be asked; the message says why."""


@dataclass(frozen=True)
class Name:
    """Something a question may name: a service or team (``field``), its slug and name."""

    field: str
    slug: str
    name: str


@dataclass(frozen=True)
class Understood:
    """A question as search parts: content words and recognised names."""

    words: tuple[str, ...]
    names: tuple[Name, ...]
    #: The words each recognised name replaced (to search them as words when filters fail).
    name_words: tuple[tuple[str, ...], ...]

    def query(self, *, filters: bool = True, drop: int | None = None) -> Query:
        words = [w for i, w in enumerate(self.words) if i != drop]
        found: list[Filter] = []
        if filters:
            found = [Filter(n.field, n.slug) for n in self.names]
        else:
            words += [w for group in self.name_words for w in group if w not in words]
        return Query(tuple(Term((w,)) for w in words), tuple(found))


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _joined(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = tuple(words[i : i + 2])
        if pair in COMPOUNDS:
            out.append(COMPOUNDS[pair])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def _spellings(names: list[Name]) -> dict[tuple[str, ...], list[Name]]:
    """Word sequences that name something: the slug, the name, the slug's first part."""
    found: dict[tuple[str, ...], list[Name]] = {}
    firsts: dict[str, list[Name]] = {}
    for n in names:
        for spelling in {tuple(_tokens(n.slug)), tuple(_tokens(n.name))}:
            if spelling and n not in found.setdefault(spelling, []):
                found[spelling].append(n)
        parts = _tokens(n.slug)
        if len(parts) > 1 and len(parts[0]) >= 4:
            firsts.setdefault(parts[0], []).append(n)
    for first, named in firsts.items():
        # "checkout" names the service checkout-api when no other service starts so.
        if (first,) not in found and len({n.field for n in named}) == len(named):
            found[(first,)] = named
    return found


def understand(question: str, names: list[Name]) -> Understood:
    """The content words and recognised names of ``question``; raises ``QuestionError``."""
    if len(question) > MAX_QUERY:
        raise QuestionError(f"the question is longer than {MAX_QUERY} characters")
    tokens = _joined(_tokens(question))
    spellings = _spellings(names)
    longest = max((len(s) for s in spellings), default=0)
    words: list[str] = []
    recognised: list[Name] = []
    replaced: list[tuple[str, ...]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            span = tuple(tokens[i : i + size])
            named = spellings.get(span)
            if named is None or (size == 1 and span[0] in STOP_WORDS):
                continue
            # A name that is both a service and a team filters on the service.
            pick = sorted(named, key=lambda n: n.field != "service")[0]
            if all(n.field != pick.field for n in recognised):
                recognised.append(pick)
                replaced.append(span)
            i += size
            break
        else:
            word = tokens[i]
            if word not in STOP_WORDS and word not in words and (len(word) > 1 or word.isdigit()):
                words.append(word)
            i += 1
    if not words and not recognised:
        raise QuestionError("the question has no words to look for (try naming what happened)")
    return Understood(tuple(words[:MAX_WORDS]), tuple(recognised), tuple(replaced))


def attempts(understood: Understood) -> list[Query]:
    """Queries to try in turn, strictest first, without repeats."""
    found: list[Query] = []

    def add(query: Query) -> None:
        if query.terms and query not in found:
            found.append(query)

    # Names alone (no other words): the newest postmortems of those services and teams.
    found.append(understood.query())
    if understood.names:
        add(understood.query(filters=False))
    # Without one word at a time: the shortest (least specific) words go first.
    order = sorted(range(len(understood.words)), key=lambda i: len(understood.words[i]))
    if len(understood.words) > 1:
        for drop in order:
            add(understood.query(drop=drop))
        if understood.names:
            for drop in order:
                add(understood.query(filters=False, drop=drop))
    return found
