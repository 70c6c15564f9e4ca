"""Rendered fragments of a postmortem's page, kept in this process per version of the page.

A fragment is kept under its name, the postmortem, the page's version (``versions``: read
from the database on every request, so another process's write shows at once) and every
input of the reader it depends on (may edit, time zone, the query string...). Only what is
the same for every reader with those inputs may be kept; the caller checks that the reader
may read the postmortem before asking, exactly as without keeping.

The store is bounded by the characters it holds (``settings.SECONDSTORY_KEPT_FRAGMENTS``,
0 turns keeping off); the least recently used fragments go first. Entries of an older
version are never served again and age out the same way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

from secondstory.pagecache.versions import checked, page_version, timeline_part

T = TypeVar("T")
DEFAULT_CHARS = 20_000_000
#: Stands for the request's CSRF token in a kept fragment; each response gets its own token.
CSRF_PLACEHOLDER = "csrf-token-of-this-response"


@dataclass(frozen=True, slots=True)
class Fragment(Generic[T]):
    """A fragment's HTML (with ``CSRF_PLACEHOLDER`` for the token) and the plain values the
    rest of the page needs from the same work."""

    html: str
    values: T

    def html_for(self, request: HttpRequest) -> SafeString:
        """The HTML with this request's CSRF token."""
        if CSRF_PLACEHOLDER not in self.html:
            return mark_safe(self.html)  # rendered by our own templates, escaped there
        return mark_safe(self.html.replace(CSRF_PLACEHOLDER, get_token(request)))


class _Store:
    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, Fragment[Any]] = OrderedDict()
        self.chars = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Fragment[Any] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, fragment: Fragment[Any], limit: int) -> None:
        size = len(fragment.html)
        if size > limit // 4:  # one huge fragment must not push out everything else
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.chars -= len(old.html)
            self.entries[key] = fragment
            self.chars += size
            while self.chars > limit and self.entries:
                _key, dropped = self.entries.popitem(last=False)
                self.chars -= len(dropped.html)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.chars = 0


STORE = _Store()


def limit() -> int:
    return int(getattr(settings, "SECONDSTORY_KEPT_FRAGMENTS", DEFAULT_CHARS))


def kept_fragment(
    name: str,
    postmortem: Any,
    parts: tuple[Hashable, ...],
    render: Callable[[], Fragment[T]],
    *,
    timeline: bool = False,
) -> tuple[Fragment[T], bool]:
    """The fragment ``name`` of the postmortem for these reader inputs (``parts``), and
    whether it was kept; ``render()`` makes it when it is not (and is kept when it may be).

    The version is the one the postmortem was read with (``page_version`` annotation, see
    ``versions.version_annotation``), else read now: before rendering, either way. A
    fragment of the timeline (``timeline``) is keyed by the timeline's part of it only.
    """
    chars = limit()
    if chars <= 0:
        return render(), False
    read = getattr(postmortem, "page_version", None)
    version = page_version(postmortem.pk) if read is None else checked(postmortem.pk, read)
    if timeline:
        version = timeline_part(version)
    key = (name, postmortem.pk, version, parts)
    found = STORE.get(key)
    if found is not None:
        return found, True
    made = render()
    STORE.put(key, made, chars)
    return made, False
