"""Each postmortem's facts as recorded, and what the checks read of them as of a date.

The facts of a postmortem do not depend on the date asked: its times, teams, services,
words and findings, every milestone of its incidents, every action item and every link from
one of its factors to an item, each with its own times. ``part`` applies a date to some of
them (milestones after it ignored, items done only if completed before it, the windows that
end at it) and ``combine`` adds the parts up into the postmortem rows, the item sums and the
(service, category) pairs that ``HealthData`` carries, exactly as the data layer's rows
would (``sums``).

Because they hold for any date, facts can be kept between runs: the data layer keeps them
per week, with today's parts, and reads again only the weeks that changed
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
    #: ``horizon(items)``: after these, none of its items counts for the follow-through sums
    #: unless the postmortem is recent
    last_due: int
    urgent_until: int


#: Later than any instant (microseconds since the epoch).
FOREVER = 2**62


def horizon(items: Iterable[Item]) -> tuple[int, int]:
    """The last due day (ordinal) of the items not "not doing", and the last instant at which
    one of the P0/P1 items can be overdue (its completion; ``FOREVER`` while one is not done):
    a date whose window starts after the first and whose end is after the second counts
    none of them (``_item_sums``)."""
    last_due = urgent_until = 0
    for priority, due, status, completed, _ in items:
        if status == "not_doing":
            continue
        last_due = max(last_due, due)
        if priority in ("P0", "P1"):
            until = FOREVER if status != "done" or completed is None else completed
            urgent_until = max(urgent_until, until)
    return last_due, urgent_until


class Summary(NamedTuple):
    postmortems: tuple[PostmortemRow, ...]
    item_sums: tuple[ItemSums, ...]
    pairs: tuple[PairSums, ...]


class Part(NamedTuple):
    """Some postmortems' facts applied to a date (``part``), to be added up with the others'
    (``combine``): a part can be kept for its postmortems and date, so that only the parts
    whose facts changed are made again."""

    rows: dict[int, PostmortemRow]
    item_sums: dict[int, ItemSums]
    counter: PairCounter
    #: (services, links) of those begun in the window that have links from factors to items
    linking: tuple[tuple[tuple[str, ...], tuple[Link, ...]], ...]


def combine(parts: Iterable[Part], ids: list[int], as_of: date, t: Thresholds) -> Summary:
    """The summary of the selected postmortems ``ids`` (in the order their rows take) from the
    ``parts`` that hold them, each postmortem in one part."""
    end = end_of(as_of)
    counter = PairCounter(end - timedelta(days=t.window_days))
    rows: dict[int, PostmortemRow] = {}
    item_sums: dict[int, ItemSums] = {}
    linking: list[tuple[tuple[str, ...], tuple[Link, ...]]] = []
    for made in parts:
        rows.update(made.rows)
        item_sums.update(made.item_sums)
        counter.merge(made.counter)
        linking.extend(made.linking)
    candidates = counter.candidates(t.recurring_min)
    occurred = {pair: instant(at) for pair, at in candidates.items()}
    linked = (
        _linked(linking, set(ids), occurred, as_of.toordinal(), instant(end)) if occurred else {}
    )
    sums = item_sums.get
    return Summary(
        tuple([rows[pm] for pm in ids]),
        tuple([s for pm in ids if (s := sums(pm)) is not None]),
        counter.sums(candidates, linked),
    )


def part(facts: Iterable[PostmortemFacts], as_of: date, t: Thresholds) -> Part:
    """``facts`` applied to the end of ``as_of``: their rows, item sums (those that count)
    and (service, category) counts."""
    end = end_of(as_of)
    since = end - timedelta(days=HISTORY_DAYS)
    window = end - timedelta(days=t.window_days)
    day, end_us = as_of.toordinal(), instant(end)
    first_due = day - t.window_days
    counter = PairCounter(window)
    add = counter.add
    rows = {}
    item_sums = {}
    linking = []
    # Most postmortems were written long before the date: their times all lie before it
    # and their row is made from the facts as they are (unpacked at once: a named tuple's
    # attributes cost more to read one by one).
    for f in facts:
        (
            pm,
            key,
            created,
            published,
            not_required,
            words,
            restricted,
            teams,
            services,
            blame,
            n_factors,
            person_factors,
            categories,
            milestones,
            (started, resolved, last),
            items,
            links,
            last_due,
            urgent_until,
        ) = f
        if last is not None and last >= end:  # a milestone after the date
            started, resolved = times(((EPOCH + us * MICROSECOND, r) for us, r in milestones), end)
        if published is not None and published >= end:
            published = None
        if not_required is not None and not_required >= end:
            not_required = None
        rows[pm] = PostmortemRow(
            key,
            teams,
            services,
            created,
            started,
            resolved,
            published,
            not_required,
            restricted,
            words,
            blame if created >= since else 0,
            n_factors,
            person_factors,
        )
        recent = created >= window
        # Only postmortems with items that count get sums: a recent one, one with an item
        # due in the window, or with a P0/P1 item that may be overdue.
        if items and (recent or last_due > first_due or urgent_until >= end_us):
            summed = _item_sums(f, day, end_us, first_due, recent)
            if summed.items or summed.due or summed.overdue:
                item_sums[pm] = summed
        if add(key, started or created, services, categories, distinct=True) and links:
            linking.append((services, links))
    return Part(rows, item_sums, counter, tuple(linking))


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
    linking: Iterable[tuple[tuple[str, ...], tuple[Link, ...]]],
    selected: Collection[int],
    candidates: dict[tuple[str, str], int],
    as_of: int,
    end: int,
) -> dict[tuple[str, str], tuple[int, int]]:
    """Per candidate pair (with the instant of its last occurrence): the links from its
    factors (the services and links of each postmortem begun in the window) to items of the
    selected postmortems, and the failed ones (``sums.failed``: not doing, overdue, or done
    before the pair's last occurrence)."""
    linked: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for services, links in linking:
        for category, item_postmortem, status, due, completed in links:
            if item_postmortem not in selected:
                continue
            done = status != "not_doing" and completed is not None and completed < end
            for service in services:
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
