"""Produce the next items of an iterator in a worker thread while the caller uses this one.

The bulk loader generates and checks records (pure Python) while it waits for the database
to write the previous batch: both database drivers release the interpreter lock while a
statement runs, so the two overlap. At most ``depth`` items wait, so memory stays constant.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")
_WAIT = 0.1


def ahead(items: Iterable[T], work: Callable[[T], U], *, depth: int = 2) -> Iterator[U]:
    """Yield ``work(item)`` for every item, in order, computed in a worker thread.

    An exception in the worker is raised here, at the item where it happened. Leaving the
    loop early (an exception in the caller, or ``close``) stops the worker.
    """
    queue: Queue[tuple[bool, U | BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[bool, U | BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=_WAIT)
                return True
            except Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put((True, work(item))):
                    return
            put((False, None))
        except BaseException as exc:  # handed to the caller, which raises it
            put((False, exc))

    worker = threading.Thread(target=run, name="ahead", daemon=True)
    worker.start()
    try:
        while True:
            try:
                more, value = queue.get(timeout=_WAIT)
            except Empty:
                if not worker.is_alive() and queue.empty():
                    raise RuntimeError("the worker thread ended without a result") from None
                continue
            if isinstance(value, BaseException):
                raise value
            if not more:
                return
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
