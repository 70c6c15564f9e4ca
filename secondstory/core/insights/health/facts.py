"""Each postmortem's facts as recorded, and what the checks read of them as of a date.

The facts of a postmortem do not depend on the date asked: its times, teams, services,
words and findings, every milestone of its incidents, every action item and every link from
one of its factors to an item, each with its own times. ``summarise`` applies a date to them
(milestones after it ignored, items done only if completed before it, the windows that end
at it) and gives the postmortem rows, the item sums and the (service, category) pairs that
``HealthData`` carries, exactly as the data layer's rows would (``sums``).

Because they hold for any date, facts can be kept between runs: the data layer keeps them
per incident month and reads again only the months that changed
(``secondstory.insights.health_facts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from secondstory.core.insights.health.common import end_of
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import PostmortemRow
from secondstory.core.insights.health.sums import ItemSums, PairCounter, PairSums

#: Blame findings count for postmortems created this many days before the date's end, at
#: most: the longest window a check reads (four quarters, for blame-drift).
HISTORY_DAYS = 366

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_DAY = 86_400_000_000  # microseconds
_EPOCH_DAY = EPOCH.date().toordinal()

#: Times within items and links are numbers, read back from the cache much faster than
#: dates and datetimes: a day is its ordinal (``date.toordinal``), an instant microseconds
#: since the epoch (UTC).
#: An action item: (priority, due day, status, completed at or None, aimed at people).
Item = tuple[str, int, str, int | None, bool]
#: A link from one of the postmortem's factors to an item: (factor category, the item's
#: postmortem id, its status, due day and completion time).
Link = tuple[str, int, str, int, int | None]


def instant(at: datetime) -> int:
    """An aware datetime as microseconds since the epoch."""
    return (at - EPOCH) // MICROSECOND


def _day_end(day: int) -> int:
    """The first instant after the day (its ordinal), as microseconds since the epoch."""
    return (day + 1 - _EPOCH_DAY) * _DAY


class PostmortemFacts(NamedTuple):
    """One postmortem as recorded (every time kept, none judged against a date)."""

    id: int
    key: str
    created: datetime
    published: datetime | None
    not_required: datetime | None
    words: int
    restricted: bool
    teams: tuple[str, ...]
    services: tuple[str, ...]
    blame: int  # blame findings of the reviewer's stored review
    factors: int
    person_factors: int  # factors that only describe a person
    categories: tuple[str, ...]  # its factors' categories, each once
    #: Its incidents' milestones: (microseconds since the epoch, UTC; is "resolved"). Read
    #: only as of a date before the last of them: numbers are kept and read back faster.
    milestones: tuple[tuple[int, bool], ...]
    #: ``milestones`` read as of any date after the last: (began, resolved, last milestone)
    times: tuple[datetime | None, datetime | None, datetime | None]
    items: tuple[Item, ...]
    links: tuple[Link, ...]


class Summary(NamedTuple):
    postmortems: tuple[PostmortemRow, ...]
    item_sums: tuple[ItemSums, ...]
    pairs: tuple[PairSums, ...]


def summarise(facts: Iterable[PostmortemFacts], as_of: date, t: Thresholds) -> Summary:
    """The rows, item sums and pairs of ``facts`` (the selected postmortems, in the order
    their rows take) as of the end of ``as_of``."""
    facts = list(facts)
    end = end_of(as_of)
    since = end - timedelta(days=HISTORY_DAYS)
    window = end - timedelta(days=t.window_days)
    day, end_us = as_of.toordinal(), instant(end)
    first_due = day - t.window_days
    counter = PairCounter(window)
    rows = []
    item_sums = []
    in_window: list[PostmortemFacts] = []
    for f in facts:
        started, resolved, last = f.times
        if last is not None and last >= end:  # a milestone after the date
            started, resolved = times(
                ((EPOCH + us * MICROSECOND, r) for us, r in f.milestones), end
            )
        created = f.created
        rows.append(
            PostmortemRow(
                key=f.key,
                teams=f.teams,
                services=f.services,
                created=created,
                started=started,
                resolved=resolved,
                published=f.published if f.published is not None and f.published < end else None,
                not_required=(
                    f.not_required if f.not_required is not None and f.not_required < end else None
                ),
                restricted=f.restricted,
                words=f.words,
                blame_findings=f.blame if created >= since else 0,
                factors=f.factors,
                person_factors=f.person_factors,
            )
        )
        if f.items:
            item_sums.append(_item_sums(f, day, end_us, first_due, created >= window))
        if counter.add(f.key, started or created, f.services, f.categories, distinct=True):
            in_window.append(f)
    candidates = counter.candidates(t.recurring_min)
    occurred = {pair: instant(at) for pair, at in candidates.items()}
    linked = _linked(in_window, {f.id for f in facts}, occurred, day, end_us) if occurred else {}
    return Summary(tuple(rows), tuple(item_sums), counter.sums(t.recurring_min, linked))


def times(
    milestones: Iterable[tuple[datetime, bool]], end: datetime
) -> tuple[datetime | None, datetime | None]:
    """When the failure began and was resolved, from the milestones before ``end``: the
    earliest, and the latest "resolved" one (else the latest)."""
    started = last = resolved = None
    for at, is_resolved in milestones:
        if at >= end:
            continue
        if started is None or at < started:
            started = at
        if last is None or at > last:
            last = at
        if is_resolved and (resolved is None or at > resolved):
            resolved = at
    return started, resolved if resolved is not None else last


def _item_sums(f: PostmortemFacts, as_of: int, end: int, first_due: int, recent: bool) -> ItemSums:
    """The postmortem's items counted as ``sums.ItemSums`` defines (days as ordinals,
    instants as microseconds since the epoch)."""
    n_due = on_time = overdue = aimed = 0
    first_overdue: int | None = None
    for priority, due, status, completed, is_aimed in f.items:
        done = completed is not None and completed < end
        if status != "not_doing" and first_due < due < as_of:
            n_due += 1
            if done and completed is not None and completed < _day_end(due):
                on_time += 1
        if (
            priority in ("P0", "P1")
            and due < as_of
            and (status in ("open", "in_progress") or (status == "done" and not done))
        ):
            overdue += 1
            if first_overdue is None or due < first_overdue:
                first_overdue = due
        aimed += is_aimed
    return ItemSums(
        postmortem=f.key,
        teams=f.teams,
        due=n_due,
        on_time=on_time,
        overdue=overdue,
        first_overdue=date.fromordinal(first_overdue) if first_overdue is not None else None,
        items=len(f.items) if recent else 0,
        aimed=aimed if recent else 0,
    )


def _linked(
    in_window: list[PostmortemFacts],
    selected: Collection[int],
    candidates: dict[tuple[str, str], int],
    as_of: int,
    end: int,
) -> dict[tuple[str, str], tuple[int, int]]:
    """Per candidate pair (with the instant of its last occurrence): the links from its
    factors to items of the selected postmortems, and the failed ones (``sums.failed``: not
    doing, overdue, or done before the pair's last occurrence)."""
    linked: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for f in in_window:
        for category, item_postmortem, status, due, completed in f.links:
            if item_postmortem not in selected:
                continue
            done = status != "not_doing" and completed is not None and completed < end
            for service in f.services:
                pair = (service, category)
                last = candidates.get(pair)
                if last is None:
                    continue
                counts = linked[pair]
                counts[0] += 1
                if done:
                    assert completed is not None
                    counts[1] += completed < last
                else:
                    counts[1] += status == "not_doing" or due < as_of
    return {pair: (n, n_failed) for pair, (n, n_failed) in linked.items()}
