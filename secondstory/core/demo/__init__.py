"""A deterministic, seeded history of a fictional company's incidents and postmortems.

Pure data for ``secondstory demo`` and for benchmarks; never imports Django.

- ``demo_organisation()``: the company's people, teams and services.
- ``demo_postmortems(today=..., seed=7)``: about 65 postmortems over 18 months.
- ``stream_postmortems(count, today=..., seed=7, prefix="S")``: as many more as a
  benchmark needs, generated lazily.
"""

from __future__ import annotations

from secondstory.core.demo.history import demo_postmortems, stream_postmortems
from secondstory.core.demo.narrative import BLAME_MARKERS
from secondstory.core.demo.organisation import demo_organisation

__all__ = ["BLAME_MARKERS", "demo_organisation", "demo_postmortems", "stream_postmortems"]
