"""``core.ahead``: items produced in a worker thread, in order, errors raised where they happen."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from secondstory.core.ahead import ahead


def test_every_item_in_order() -> None:
    assert list(ahead(range(50), lambda n: n * n, depth=3)) == [n * n for n in range(50)]
    assert list(ahead([], str)) == []


def test_the_work_runs_in_another_thread() -> None:
    names = list(ahead(range(3), lambda _: threading.current_thread().name))
    assert threading.current_thread().name not in names


def test_an_error_of_the_worker_is_raised_at_its_item() -> None:
    def numbers() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("record 3 is broken")

    seen = []
    with pytest.raises(ValueError, match="record 3 is broken"):
        for n in ahead(numbers(), lambda n: n):
            seen.append(n)
    assert seen == [1, 2]


def test_leaving_early_stops_the_worker() -> None:
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    results = ahead(endless(), lambda n: n, depth=2)
    assert next(results) == 0
    results.close()  # joins the worker
    assert len(produced) <= 5
    assert not [t for t in threading.enumerate() if t.name == "ahead"]
