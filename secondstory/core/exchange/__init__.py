"""The Markdown exchange format: one postmortem as one Markdown file.

A file is YAML front matter (the structured record) followed by the narrative
sections as ``## Heading`` blocks. :func:`render_postmortem` writes it and
:func:`parse_postmortem` reads it back, exactly: ``parse(render(r)) == r``.
See ``docs/exchange-format.md`` for the format itself.
"""

from __future__ import annotations

from secondstory.core.exchange.errors import ExchangeError, LocatedProblem
from secondstory.core.exchange.parse import ParsedFile, parse_postmortem, read_postmortem
from secondstory.core.exchange.render import render_postmortem
from secondstory.core.exchange.schema import FORMAT_VERSION

__all__ = [
    "FORMAT_VERSION",
    "ExchangeError",
    "LocatedProblem",
    "ParsedFile",
    "parse_postmortem",
    "read_postmortem",
    "render_postmortem",
]
