"""The options of an import, and how a file name becomes a postmortem key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, tzinfo

from secondstory.core import taxonomy
from secondstory.core.invariants import Vocabulary


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the user told the import: owner, default severity and zone, and the vocabularies."""

    owner: str = ""
    severity: str = ""
    tz: tzinfo | None = None
    today: date = date(2000, 1, 1)
    vocab: Vocabulary = field(default_factory=Vocabulary)
    # Days until an action item is due, by severity code (default: the default severities).
    slo_days: dict[str, int] = field(
        default_factory=lambda: {s.code: s.slo_days for s in taxonomy.DEFAULT_SEVERITIES}
    )
    # At most this many days by priority (the installation's priority policy).
    priority_days: dict[str, int] = field(default_factory=lambda: {"P0": 15, "P1": 30})


def key_from_name(stem: str) -> str:
    """A postmortem key from a file name: ``PM2019-009 - Disk full`` -> ``PM2019-009``.

    >>> key_from_name("PM2019-009 - Disk full"), key_from_name("2020-03-04 db outage")
    ('PM2019-009', '2020-03-04-db-outage')
    """
    head = re.match(r"\s*([A-Za-z]{0,12}[-_]?\d[\w.-]{0,40}?)\s+[-–—:]\s+\S", stem)
    return slug_key(head.group(1) if head else stem)


def slug_key(text: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-_")
    key = key[: taxonomy.MAX_KEY].strip("-_")
    if key:
        return key
    return "imported-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
