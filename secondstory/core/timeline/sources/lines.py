"""What the importers of timestamped text lines (IRC logs, plain lines) share.

Such lines carry a clock time and at most a date, no offset: the local time is built line by
line, moved to the next day when the clock goes back by more than twelve hours, and placed in
the ``--tz`` zone. References hash what a line says, so they do not move when a log grows.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, tzinfo

from secondstory.core.timeline.sources.base import SourceError, Where, localize, stable_ref

HALF_DAY = timedelta(hours=12)


def roll_over(local: datetime, last: datetime | None, where: Where, past_the_end: str) -> datetime:
    """``local``, on the next day when the clock went back by more than twelve hours since the
    previous line at ``last``; ``past_the_end`` is the error when there is no next day."""
    if last is not None and last - local > HALF_DAY:
        try:
            local += timedelta(days=1)
        except OverflowError as exc:
            raise where.error("date", past_the_end) from exc
    return local


def place(local: datetime, zone: tzinfo, where: Where) -> datetime:
    """The instant of a local time in the zone; SourceError when the zone cannot place it."""
    try:
        return localize(local, zone, where, "time")
    except SourceError:
        raise
    except (OverflowError, ValueError) as exc:
        raise where.error("time", f"cannot place {local.isoformat()} in the zone") from exc


def line_ref(local: datetime, actor: str, text: str, seen: dict[str, int]) -> str:
    """The reference of a line: a hash of its local time, actor and text, with a counter in
    ``seen`` that tells identical lines apart."""
    key = f"{local.isoformat()}\n{actor}\n{text}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    count = seen.get(digest, 0) + 1
    seen[digest] = count
    return stable_ref(digest if count == 1 else f"{digest}-{count}")
