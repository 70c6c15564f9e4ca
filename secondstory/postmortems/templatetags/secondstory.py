"""Template filters for postmortem pages: ``{% load secondstory %}``."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django import template
from django.http import HttpRequest
from django.template import Context
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from secondstory.incidents.services import (
    format_duration,
)
from secondstory.lib.markdown import render_markdown
from secondstory.lib.timezones import viewer_zone
from secondstory.lib.timezones import zone_datalist as _zone_datalist

register = template.Library()

SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def display_zone(request: HttpRequest | None = None) -> ZoneInfo:
    """The zone in which pages show times: the viewer's (see lib.timezones), else the default."""
    return viewer_zone(request)


def _context_zone(context: Context) -> ZoneInfo:
    """The zone a view put in the context, else the zone of the context's request."""
    zone = context.get("display_zone")
    if isinstance(zone, ZoneInfo):
        return zone
    return display_zone(context.get("request"))


# Rendered sections by content hash: a page shows a dozen sections on every view and most
# views see the same text, so each text is parsed and sanitised once per process. Bounded
# by the characters kept; the oldest entries go first.
_RENDERED: OrderedDict[bytes, SafeString] = OrderedDict()
_RENDERED_MAX_CHARS = 2_000_000
_rendered_chars = 0
_rendered_lock = threading.Lock()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(text: str | None) -> SafeString:
    """``{{ postmortem.summary|markdown }}``: sanitised HTML, from the cache when seen before."""
    global _rendered_chars
    text = text or ""
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
    with _rendered_lock:
        html = _RENDERED.get(digest)
        if html is not None:
            _RENDERED.move_to_end(digest)
            return html
    html = render_markdown(text)
    with _rendered_lock:
        if digest not in _RENDERED and len(html) <= _RENDERED_MAX_CHARS:
            _RENDERED[digest] = html
            _rendered_chars += len(html)
            while _rendered_chars > _RENDERED_MAX_CHARS:
                _, dropped = _RENDERED.popitem(last=False)
                _rendered_chars -= len(dropped)
    return html


@register.filter
def duration(value: timedelta | None) -> str:
    """``{{ row.value|duration }}`` -> ``1 h 5 min``, or an em dash when unknown."""
    return format_duration(value)


@register.filter(expects_localtime=False)
def localtime_in(value: datetime | None, zone: str = "") -> datetime | str:
    """The instant in ``zone`` (default: the display zone), kept there by ``|date``.

    ``{{ event.at|localtime_in|date:"H:i" }}`` or ``{{ event.at|localtime_in:"Europe/Paris" }}``.
    """
    if value is None or value == "":
        return ""
    return do_timezone(value, zone or display_zone())


@register.simple_tag(takes_context=True)
def display_time(context: Context, value: datetime | None, format: str = "j M Y H:i") -> str:
    """``{% display_time event.at "H:i" %}``: a ``<time>`` element in the display zone."""
    if not isinstance(value, datetime):
        return "—"
    local = timezone.localtime(value, _context_zone(context))
    if format == "H:i":  # the timeline's format, hundreds of times a page: skip the formatter
        return mark_safe(f'<time datetime="{local.isoformat()}">{local:%H:%M}</time>')
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), date_format(local, format)
    )


@register.simple_tag
def zone_datalist() -> SafeString:
    """The ``zone-names`` datalist that time-zone fields offer (rendered once per process)."""
    return _zone_datalist()


@register.simple_tag(takes_context=True)
def display_zone_name(context: Context) -> str:
    """The display zone's name, for "Times in UTC"."""
    return str(_context_zone(context))


@register.filter
def safe_url(url: str | None) -> str:
    """The URL if it is a web or mail link, else an empty string (no ``javascript:``)."""
    if not url:
        return ""
    scheme = urlsplit(url.strip()).scheme.lower()
    return url if scheme in SAFE_URL_SCHEMES else ""
