"""Recording recurrences and telling the owners of the items they came back after.

The worker runs :func:`check_recurrences`: each match found
(:mod:`secondstory.actions.recurrence`) is recorded once as a ``Recurrence`` row and the
item's owner is notified once, naming the later postmortem only when they may read it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from secondstory.actions.models import ActionItem, Recurrence
from secondstory.actions.recurrence import Match, find_matches
from secondstory.actions.recurrence_evidence import _readable
from secondstory.lib import site

logger = logging.getLogger(__name__)


def _message(match: Match, item: ActionItem, readable: bool) -> tuple[str, str]:
    """The notification for ``item``'s owner; a postmortem they cannot read stays unnamed."""
    if readable:
        url = reverse("postmortems:detail", args=[match.factor_postmortem_key])
        base = site.base_url()
        where = (
            f"factor {match.factor_key} of {match.factor_postmortem_key}.\n\n"
            f"Did the fix work? See {base}{url}#factor-{match.factor_key}\n"
        )
    else:
        where = "an incident in a restricted postmortem.\n"
    # The terms come from the later factor's text: named only to an owner who may read it.
    common = f"; in common with what the item addressed: {', '.join(match.shared)}"
    common = common if readable else ""
    done_on = timezone.localdate(item.completed_at) if item.completed_at else None
    subject = f"Recurred after fix: {item.postmortem.key} {item.key} {item.title}"
    text = (
        f'Your action item {item.key} of {item.postmortem.key}, "{item.title}", was done on '
        f"{done_on:%d %b %Y}. {match.days} days later the same kind of contributing factor "
        f"({match.category.lower()}{common}) came back on one of the same services: {where}"
    )
    return subject, text


def check_recurrences(today: date | None = None) -> list[Recurrence]:
    """Record the recurrences not recorded yet and notify each item's owner once.

    Only incidents that started by the end of ``today`` (default: now) count. Returns the
    rows created by this run. A notification that fails is retried the next time this runs.
    """
    now = timezone.now()
    if today is not None:
        zone = timezone.get_current_timezone()
        now = min(now, datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone))
    matches = find_matches(ActionItem.objects.filter(status="done", completed_at__lte=now))
    known = set(Recurrence.objects.values_list("item_id", "factor_id"))
    created = []
    for m in matches:
        if m.started_at > now or (m.item_id, m.factor_id) in known:
            continue
        row, new = Recurrence.objects.get_or_create(
            item_id=m.item_id, factor_id=m.factor_id, defaults={"found_at": timezone.now()}
        )
        if new:
            created.append(row)
    notify_pending()
    return created


def notify_pending() -> int:
    """Tell the owners of recorded recurrences nobody was told about; returns how many.

    Each notification is queued once (key ``recurrence:<id>``) and tried now; a failed try is
    retried by the worker's sweep like every other notification, at most three tries in all.
    One unreachable channel is tried at most three times in a row per run.
    """
    from secondstory.notify.services import Run, send
    from secondstory.notify.stopping import stop_requested

    rows = list(
        Recurrence.objects.filter(notified_at__isnull=True).select_related(
            "item__owner", "item__postmortem", "factor"
        )
    )
    if not rows:
        return 0
    current = {
        (m.item_id, m.factor_id): m
        for m in find_matches(ActionItem.objects.filter(pk__in={r.item.pk for r in rows}))
    }
    run = Run()
    queued = 0
    for recurrence in rows:
        if stop_requested():
            break
        item = recurrence.item
        match = current.get((item.pk, recurrence.factor.pk))
        if match is None:
            # No longer a recurrence (the item was reopened or the factor changed): tell
            # nobody now; it is told if it holds again.
            continue
        readable = bool(_readable(item.owner, {match.factor_postmortem_id}))
        subject, text = _message(match, item, readable)
        try:
            send(
                item.owner,
                kind="recurrence",
                subject=subject,
                text=text,
                item=item,
                key=f"recurrence:{recurrence.pk}",
                run=run,
            )
        except Exception:
            logger.exception("could not notify %s about recurrence %s", item.owner, recurrence.pk)
            continue
        recurrence.notified_at = timezone.now()
        recurrence.save(update_fields=["notified_at"])
        queued += 1
    return queued
