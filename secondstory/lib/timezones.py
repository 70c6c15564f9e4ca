"""The zone a viewer reads times in: UTC, their own zone, or any zone picked for the session.

Only the display changes: instants are stored in UTC (with the offset they were recorded in)
whatever zone a page shows them in.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from secondstory.core.timeline.quick import format_offset

SESSION_KEY = "secondstory_display_zone"
UTC_CHOICE = "utc"
OWN_CHOICE = "mine"


def parse_zone(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None when there is no such zone."""
    name = name.strip()
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    if name.upper() == "UTC":
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1)
@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (for a select or a datalist); read
    once per process (listing them walks the zone database, about 4 ms)."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


@cache
def zone_datalist() -> SafeString:
    """``<datalist id="zone-names">`` with every zone name, rendered once per process."""
    options = format_html_join("", '<option value="{}">', ((name,) for name in zone_names()))
    return format_html('<datalist id="zone-names">{}</datalist>', options)


def site_zone() -> ZoneInfo:
    """The installation's default display zone (``SECONDSTORY_TIME_ZONE``, UTC when unset)."""
    return ZoneInfo(getattr(settings, "DISPLAY_TIME_ZONE", "UTC"))


def own_zone(request: HttpRequest) -> ZoneInfo | None:
    """The signed-in person's own zone (User.time_zone), when set and valid."""
    user = getattr(request, "user", None)
    name = getattr(user, "time_zone", "") or ""
    return parse_zone(name) if name else None


def zone_choice(request: HttpRequest) -> str:
    """What the viewer chose for this session: "utc", "mine", a zone name, or "" (no choice)."""
    session = getattr(request, "session", None)
    return str(session.get(SESSION_KEY, "")) if session is not None else ""


def viewer_zone(request: HttpRequest | None) -> ZoneInfo:
    """The zone this request shows times in.

    The session's choice wins (UTC, the person's own zone, or a named zone); without one, the
    person's own zone; without that, the installation's default.
    """
    if request is None:
        return site_zone()
    choice = zone_choice(request)
    if choice == UTC_CHOICE:
        return ZoneInfo("UTC")
    if choice and choice != OWN_CHOICE and (picked := parse_zone(choice)) is not None:
        return picked
    return own_zone(request) or site_zone()


def set_session_zone(request: HttpRequest, choice: str) -> None:
    """Remember "utc", "mine" or a zone name for the rest of the session."""
    request.session[SESSION_KEY] = choice


def zone_label(zone: ZoneInfo, at: datetime | None = None) -> str:
    """``Europe/Berlin (UTC+01:00)``: the zone and its offset at ``at`` (default: now)."""
    moment = (at or timezone.now()).astimezone(zone)
    if str(zone) == "UTC":
        return "UTC"
    return f"{zone} (UTC{format_offset(moment)})"


def zone_offsets_label(zone: ZoneInfo, instants: list[datetime]) -> str:
    """Like zone_label, naming every offset the zone had over the instants (DST changes)."""
    if str(zone) == "UTC":
        return "UTC"
    if not instants:
        return zone_label(zone)
    offsets = sorted({format_offset(i.astimezone(zone)) for i in instants}, key=_offset_key)
    return f"{zone} (UTC{' / UTC'.join(offsets)})"


def _offset_key(offset: str) -> int:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset[1:].split(":")
    return sign * (int(hours) * 60 + int(minutes))
