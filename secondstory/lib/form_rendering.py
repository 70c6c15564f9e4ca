"""Form widgets rendered once per process for each distinct widget.

Django renders every widget through templates (a select renders one template per option and
one per attribute list), a few milliseconds on a page with a filter form and a time-zone
form. A widget's HTML depends only on its template and on the plain data Django hands it
(name, value, attributes, options), so :class:`KeptWidgetRenderer` keeps the HTML of
recent widgets keyed by exactly that data. Only widget templates are kept, only when every
value in their data is a plain string, number, boolean or ``None`` (in lists, tuples and
dicts), and never with ``DEBUG`` on (templates may change while the server runs). Forms and
fields (errors, bound values, CSRF tokens) are always rendered afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeData

#: Widgets kept per process, the least recently used dropped first.
SIZE = 1024
#: HTML longer than this is not kept (a select of every time zone, say).
LONGEST = 20_000
_WIDGETS = "django/forms/widgets/"
_SCALARS = (str, int, float, bool, type(None))


class _NotPlain(Exception):
    """A value whose text could change without changing the key: render afresh."""


def _key(value: Any) -> Hashable:
    """A key equal for two values exactly when they render alike. Types are part of it:
    ``True`` and ``1`` or a safe and an escaped string are different values."""
    kind = type(value)
    if kind in _SCALARS or (isinstance(value, str) and isinstance(value, SafeData)):
        return (kind.__name__, value)
    if kind in (list, tuple):
        return (kind.__name__, tuple(_key(item) for item in value))
    if kind is dict:
        if not all(type(name) is str for name in value):
            raise _NotPlain
        return ("dict", tuple((name, _key(item)) for name, item in value.items()))
    raise _NotPlain


class KeptWidgetRenderer(DjangoTemplates):
    """Django's default form renderer that renders each distinct widget once (see above)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if settings.DEBUG or request is not None or not template_name.startswith(_WIDGETS):
            return super().render(template_name, context, request)
        try:
            key = (template_name, _key(context))
        except _NotPlain:
            return super().render(template_name, context, request)
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
                return html
        html = super().render(template_name, context, request)
        if len(html) <= LONGEST:
            with self._lock:
                self._kept[key] = html
                while len(self._kept) > SIZE:
                    self._kept.popitem(last=False)
        return html
