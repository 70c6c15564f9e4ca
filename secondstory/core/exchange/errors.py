"""Problems found while reading an exchange file, each with its file line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    """One problem in a file: where it is, which field, what is wrong.

    ``line`` is 1-based and counts lines of the whole file, front matter
    delimiters included. ``field`` is a dotted path in the file's own key
    names, e.g. ``incidents[0].severity``.

    >>> str(LocatedProblem("pm.md", 7, "incidents[0].severity", "unknown severity 'SEV9'"))
    "pm.md:7: incidents[0].severity: unknown severity 'SEV9'"
    """

    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.field}: {self.message}"


class ExchangeError(Exception):
    """A file could not be read as a valid postmortem; ``problems`` says why.

    The problems are ordered by line; ``str(error)`` gives one per line as
    ``FILE:LINE: FIELD: MESSAGE``.
    """

    problems: list[LocatedProblem]

    def __init__(self, problems: Iterable[LocatedProblem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[ExchangeError], tuple[list[LocatedProblem]]]:
        return (type(self), (self.problems,))
