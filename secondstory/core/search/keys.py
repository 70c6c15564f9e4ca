"""Filter and visibility keys: short tokens stored beside each document's text.

Every search document carries, in a column of its own, one token per thing a
query can filter on (its services, teams, tags, severities, factor categories,
status, the decade, year, month and day it was created, whether it is a game day's
exercise) plus ``xr1`` when it is
restricted, one token per person who may read it by name and one per team whose
members may read it (docs/permissions.md). A query's filters and the
reader's visibility then become a boolean expression over these tokens, which
the full-text index answers together with the words: no joins, the same
expression on SQLite (FTS5) and PostgreSQL (tsquery).

Tokens are lower-case letters followed by digits, so no tokenizer or stemmer
changes them.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

#: Present in every document: the start of every expression.
EVERY = "xa0"
RESTRICTED = "xr1"
EARLIEST_DECADE = 190  # the 1900s: dates before them are not told apart
LATEST_DECADE = 219  # the 2190s: dates after them are not told apart

#: Status codes in a fixed order; a new status appends (existing tokens never move).
STATUS_ORDER = ("draft", "in_review", "approved", "published", "not_required")


def service(pk: int) -> str:
    return f"xs{pk}"


def team(pk: int) -> str:
    return f"xt{pk}"


def tag(pk: int) -> str:
    return f"xg{pk}"


def severity(pk: int) -> str:
    return f"xv{pk}"


def factor(pk: int) -> str:
    return f"xf{pk}"


def reader(pk: int) -> str:
    """A person named on a restricted postmortem (owner, facilitator, collaborator, reviewer)."""
    return f"xu{pk}"


def access_team(pk: int) -> str:
    """A team whose members read a restricted postmortem (a team of every restricted incident)."""
    return f"xk{pk}"


def status(code: str) -> str | None:
    return f"xp{STATUS_ORDER.index(code)}" if code in STATUS_ORDER else None


def exercise(flag: bool) -> str:
    """A game day's review (``xe1``) or any other postmortem (``xe0``): every document has one."""
    return f"xe{int(flag)}"


def day_tokens(day: date) -> list[str]:
    """The decade, year, month and day of ``day``."""
    return [
        f"xc{day.year // 10}",
        f"xy{day.year}",
        f"xm{day.year}{day.month:02d}",
        f"xd{day.year}{day.month:02d}{day.day:02d}",
    ]


def before_tokens(day: date) -> list[str]:
    """Tokens that together cover every day before ``day`` (from the 1900s on)."""
    tokens = [f"xc{d}" for d in range(EARLIEST_DECADE, day.year // 10)]
    tokens += [f"xy{y}" for y in range(day.year - day.year % 10, day.year)]
    tokens += [f"xm{day.year}{m:02d}" for m in range(1, day.month)]
    tokens += [f"xd{day.year}{day.month:02d}{d:02d}" for d in range(1, day.day)]
    return tokens


def after_tokens(day: date) -> list[str]:
    """Tokens that together cover ``day`` and every day after it (up to the 2190s).

    Whole months, years and decades are one token each: ``after:2024`` is the years
    2024 to 2029 and the later decades, not the days of January.
    """
    tokens: list[str] = []
    first_of_month = day.day == 1
    first_of_year = first_of_month and day.month == 1
    if not first_of_month:
        last = monthrange(day.year, day.month)[1]
        tokens += [f"xd{day.year}{day.month:02d}{d:02d}" for d in range(day.day, last + 1)]
    if not first_of_year:
        start = day.month if first_of_month else day.month + 1
        tokens += [f"xm{day.year}{m:02d}" for m in range(start, 13)]
    decade_start = day.year - day.year % 10
    if first_of_year and day.year == decade_start:
        first_decade = day.year // 10
    else:
        first_year = day.year if first_of_year else day.year + 1
        tokens += [f"xy{y}" for y in range(first_year, decade_start + 10)]
        first_decade = day.year // 10 + 1
    tokens += [f"xc{d}" for d in range(first_decade, LATEST_DECADE + 1)]
    return tokens


def document_keys(
    *,
    services: Iterable[int] = (),
    teams: Iterable[int] = (),
    tags: Iterable[int] = (),
    severities: Iterable[int] = (),
    factors: Iterable[int] = (),
    status_code: str = "",
    created: date | None = None,
    restricted: bool = False,
    readers: Iterable[int] = (),
    access_teams: Iterable[int] = (),
    is_exercise: bool = False,
) -> str:
    """The keys column of one document."""
    tokens = [EVERY]
    tokens += [service(pk) for pk in sorted(set(services))]
    tokens += [team(pk) for pk in sorted(set(teams))]
    tokens += [tag(pk) for pk in sorted(set(tags))]
    tokens += [severity(pk) for pk in sorted(set(severities))]
    tokens += [factor(pk) for pk in sorted(set(factors))]
    code = status(status_code)
    if code:
        tokens.append(code)
    if created is not None:
        tokens += day_tokens(created)
    if restricted:
        tokens.append(RESTRICTED)
        tokens += [reader(pk) for pk in sorted(set(readers))]
        tokens += [access_team(pk) for pk in sorted(set(access_teams))]
    # Last, so that adding it to documents written before it existed is an append.
    tokens.append(exercise(is_exercise))
    return " ".join(tokens)


#: The facets counted on search results, by the prefix of their keys.
FACETS_BY_PREFIX = {
    "xs": "service",
    "xt": "team",
    "xv": "severity",
    "xf": "factor",
    "xy": "year",
    "xp": "status",
    "xe": "exercise",
}


def facet_keys(document_keys: str) -> str:
    """The keys of ``document_keys`` that facets count."""
    return " ".join(t for t in document_keys.split() if t[:2] in FACETS_BY_PREFIX)


# ---- boolean expressions over keys -----------------------------------------------------------


@dataclass(frozen=True)
class OneOf:
    """At least one of the tokens (none: matches nothing)."""

    tokens: tuple[str, ...]


@dataclass(frozen=True)
class KeyExpression:
    """Every clause in ``required``, none of the clauses in ``excluded``.

    ``hidden`` is the visibility rule: documents with the restricted key are left
    out unless they carry one of ``readers`` (staff and operators: ``hidden`` False).
    """

    required: tuple[OneOf, ...] = ()
    excluded: tuple[OneOf, ...] = ()
    hidden: bool = False
    readers: tuple[str, ...] = ()

    @property
    def matches_nothing(self) -> bool:
        return any(not clause.tokens for clause in self.required)

    def _parts(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        if self.matches_nothing:
            raise ValueError("an expression that matches nothing has no text form")
        required = [c.tokens for c in self.required]
        excluded = [c.tokens for c in self.excluded if c.tokens]
        return required, excluded

    def fts5(self, words: str | None = None) -> str:
        """The expression in FTS5 syntax, AND-ed with ``words`` (an FTS5 expression) if given.

        Keys are matched in the ``keys`` column only. ``EVERY`` starts the expression
        only when nothing else is required: a list of every document costs time to walk.
        """
        required, excluded = self._parts()
        clauses = [f"{{keys}}: {_join(c, ' OR ')}" for c in required]
        if words is None and not clauses:
            clauses.insert(0, f"{{keys}}: {EVERY}")
        elif words is not None:
            clauses.insert(0, f"({words})")
        text = " AND ".join(clauses)
        for clause in excluded:
            text = f"({text}) NOT ({{keys}}: {_join(clause, ' OR ')})"
        if self.hidden:
            hidden = RESTRICTED
            if self.readers:
                hidden = f"({RESTRICTED} NOT {_join(self.readers, ' OR ')})"
            text = f"({text}) NOT ({{keys}}: {hidden})"
        return text

    def admits(self, keys: set[str]) -> bool:
        """Whether a document with these keys passes (the same rule as ``fts5`` and
        ``tsquery``, evaluated here)."""
        required, excluded = self._parts()
        if not all(any(token in keys for token in clause) for clause in required):
            return False
        if any(any(token in keys for token in clause) for clause in excluded):
            return False
        if self.hidden and RESTRICTED in keys:
            return any(reader in keys for reader in self.readers)
        return True

    @property
    def is_everything(self) -> bool:
        """True when the expression lets every document through."""
        return not self.required and not any(c.tokens for c in self.excluded) and not self.hidden

    def tsquery(self, *, alone: bool = True) -> str:
        """The expression in PostgreSQL ``to_tsquery`` syntax.

        ``alone=False`` when words are matched too: then ``EVERY`` is left out unless
        nothing else is required (a GIN index cannot start from a negation).
        """
        required, excluded = self._parts()
        parts = [_join(c, " | ") for c in required]
        if alone or not parts:
            parts.insert(0, EVERY)
        parts += [f"!{_join(c, ' | ')}" for c in excluded]
        if self.hidden:
            if self.readers:
                parts.append(f"!({RESTRICTED} & !{_join(self.readers, ' | ')})")
            else:
                parts.append(f"!{RESTRICTED}")
        return " & ".join(parts)


def removed_tsquery(expression: KeyExpression) -> str | None:
    """What the expression takes away from a set that its words already bound, or None.

    For an expression with no required clause: the documents to remove are those with
    an excluded key, and the restricted ones the reader is not named on. PostgreSQL
    finds that set through its GIN index, where a lone negation could not be looked up.
    """
    if expression.required:
        raise ValueError("only for expressions without required clauses")
    parts = [_join(c.tokens, " | ") for c in expression.excluded if c.tokens]
    if expression.hidden:
        if expression.readers:
            parts.append(f"({RESTRICTED} & !{_join(expression.readers, ' | ')})")
        else:
            parts.append(RESTRICTED)
    return " | ".join(parts) or None


def _join(tokens: tuple[str, ...], operator: str) -> str:
    return tokens[0] if len(tokens) == 1 else "(" + operator.join(tokens) + ")"
