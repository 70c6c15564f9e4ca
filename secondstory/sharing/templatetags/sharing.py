"""Template tags of the sharing app: "on this day" on the home page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.lib.timezones import viewer_zone
from secondstory.sharing.services import PastIncident
from secondstory.sharing.services import on_this_day as past_incidents

register = template.Library()


@register.simple_tag(takes_context=True)
def on_this_day(context: template.Context) -> list[PastIncident]:
    """Published postmortems the viewer may read whose impact started on today's calendar
    day (in the viewer's time zone) in earlier years."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return []
    zone = viewer_zone(request)
    today = timezone.now().astimezone(zone).date()
    return past_incidents(user, today, zone)
