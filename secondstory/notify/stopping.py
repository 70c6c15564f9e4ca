"""The worker's stop flag: set by SIGTERM or Ctrl-C, checked between deliveries.

Long jobs (a reminder sweep over many items, a tracker pull over many issues) look at
:func:`stop_requested` before each network call, so a stopping worker finishes the delivery
in flight and leaves the rest queued for the next run instead of working through all of it.
"""

from __future__ import annotations

import threading

_STOP = threading.Event()


def request_stop() -> None:
    """Ask every job in this process to stop after its current delivery."""
    _STOP.set()


def stop_requested() -> bool:
    return _STOP.is_set()


def clear_stop() -> None:
    """Forget an earlier request (a new worker run in the same process, or a test)."""
    _STOP.clear()
