"""Replace people's names with their roles, for a site shared beyond the people involved.

A ``Directory`` knows every person once (display name, full name, first name,
username) and compiles one pattern for all of them; a ``Roles`` says which role
each person plays in one postmortem and uses the directory to rewrite free text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

OWNER = "Postmortem owner"
FACILITATOR = "Facilitator"
ACTION_OWNER = "Action owner"
REVIEWER = "Reviewer"
COLLABORATOR = "Collaborator"
RESPONDER = "Responder"

# A first name shorter than this is too likely to be an ordinary word.
MIN_FIRST_NAME = 3


@dataclass(frozen=True, slots=True)
class Someone:
    """How one person may be written: their username and their names."""

    username: str
    names: tuple[str, ...]  # display name, full name: matched as written

    def first_name(self) -> str:
        for name in self.names:
            words = name.split()
            if len(words) >= 2 and len(words[0]) >= MIN_FIRST_NAME:
                return words[0]
        return ""


def people(rows: Iterable[tuple[str, str, str, str]]) -> list[Someone]:
    """``Someone`` for each (username, display name, first name, last name)."""
    found = []
    for username, display, first, last in rows:
        full = f"{first} {last}".strip()
        names = tuple(dict.fromkeys(n for n in (display.strip(), full) if n))
        found.append(Someone(username, names))
    return found


class Directory:
    """Everybody the site might name, and one pattern that finds any of them in text."""

    def __init__(self, everyone: Iterable[Someone]) -> None:
        self.username_of: dict[str, str] = {}  # casefolded name or username -> username
        alternatives: list[tuple[int, str]] = []
        for person in everyone:
            for name in (*person.names, person.first_name()):
                if name:
                    self.username_of.setdefault(name.casefold(), person.username)
                    alternatives.append((len(name), re.escape(name)))
            self.username_of.setdefault(person.username.casefold(), person.username)
            alternatives.append((len(person.username), f"(?i:{re.escape(person.username)})"))
        alternatives.sort(key=lambda pair: pair[0], reverse=True)
        body = "|".join(dict.fromkeys(pattern for _, pattern in alternatives))
        self.pattern = re.compile(r"(?<!\w)(?:" + body + r")(?!\w)") if body else None

    def who(self, written: str) -> str:
        """The username of the person written as ``written``, or ``""``."""
        return self.username_of.get(written.casefold(), "")


@dataclass
class Roles:
    """Who plays which role in one postmortem.

    ``assign`` keeps the first role given to a person, so assign the most telling
    role first (owner before reviewer). Anyone else is a responder.
    """

    directory: Directory
    by_username: dict[str, str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)  # actors who are nobody we know
    _actor_pattern: re.Pattern[str] | None = None

    def assign(self, username: str, role: str) -> None:
        self.by_username.setdefault(username, role)

    def assign_actor(self, actor: str, actor_role: str) -> None:
        """Record a timeline actor: a known person takes the role, anyone else is kept apart."""
        if not actor:
            return
        username = self.directory.who(actor)
        if username:
            self.assign(username, actor_role or RESPONDER)
        elif actor not in self.actors:
            self.actors[actor] = actor_role or RESPONDER
            self._actor_pattern = None

    def role_of(self, username: str) -> str:
        return self.by_username.get(username, RESPONDER)

    def actor(self, actor: str, actor_role: str) -> str:
        """The timeline actor's role if known, else ``Responder`` (empty stays empty)."""
        if not actor:
            return ""
        if actor_role:
            return actor_role
        username = self.directory.who(actor)
        return self.role_of(username) if username else RESPONDER

    def text(self, value: str) -> str:
        """``value`` with every known name, first name and username replaced by a role."""
        if not value:
            return value
        if self.directory.pattern is not None:
            value = self.directory.pattern.sub(
                lambda m: self.role_of(self.directory.who(m.group(0))), value
            )
        pattern = self._actors()
        if pattern is not None:
            value = pattern.sub(lambda m: self.actors[m.group(0)], value)
        return value

    def _actors(self) -> re.Pattern[str] | None:
        if self._actor_pattern is None and self.actors:
            names = sorted(self.actors, key=len, reverse=True)
            body = "|".join(re.escape(name) for name in names)
            self._actor_pattern = re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")
        return self._actor_pattern
