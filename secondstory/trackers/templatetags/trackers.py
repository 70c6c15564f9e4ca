"""``{% tracker_panel item postmortem %}``: an item's issues, sync log and trackers offered.

Loaded once per postmortem page (three queries), whatever the number of items.
"""

from __future__ import annotations

from typing import Any

from django import template

from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import Postmortem
from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink

register = template.Library()

LOG_LINES = 5
CACHE = "_tracker_panel"


def _load(postmortem: Postmortem) -> dict[str, Any]:
    links: dict[int, list[TrackerLink]] = {}
    for link in TrackerLink.objects.filter(item__postmortem=postmortem).select_related(
        "connection"
    ):
        links.setdefault(link.item_id, []).append(link)
    logs: dict[int, list[SyncLog]] = {}
    for entry in SyncLog.objects.filter(item__postmortem=postmortem).order_by("-at", "-id")[:500]:
        logs.setdefault(entry.item_id, []).append(entry)
    connections = list(TrackerConnection.objects.filter(enabled=True))
    return {"links": links, "logs": logs, "connections": connections}


@register.simple_tag
def tracker_panel(item: ActionItem, postmortem: Postmortem) -> dict[str, Any]:
    cached = getattr(postmortem, CACHE, None)
    if cached is None:
        cached = _load(postmortem)
        setattr(postmortem, CACHE, cached)
    links = cached["links"].get(item.pk, [])
    linked = {link.connection_id for link in links}
    return {
        "links": links,
        "logs": cached["logs"].get(item.pk, [])[:LOG_LINES],
        "connections": [c for c in cached["connections"] if c.pk not in linked],
    }
