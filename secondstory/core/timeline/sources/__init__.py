"""Importers: raw exports and payloads turned into timeline events.

One module per format (see ``base`` for the contract). ``FORMATS`` lists them in the order
``detect`` tries them: the most specific shapes first, the generic ones last.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FORMATS: tuple[str, ...] = (
    "slack",
    "mattermost",
    "teams",
    "discord",
    "pagerduty",
    "opsgenie",
    "alertmanager",
    "grafana",
    "github",
    "kubernetes",
    "statuspage",
    "gitlog",
    "irc",
    "jsonl",
    "csv",
    "plain",
)


def module(name: str) -> ModuleType:
    """The importer module of a format."""
    if name not in FORMATS:
        raise SourceError(f"unknown format {name!r}; known: {', '.join(FORMATS)}", field="from")
    return importlib.import_module(f"secondstory.core.timeline.sources.{name}")


def describe() -> list[tuple[str, str]]:
    """``(name, description)`` of every format, for help texts and docs."""
    return [(name, str(module(name).DESCRIPTION)) for name in FORMATS]


def detect(source: Source) -> str:
    """The format of an input, told from its content; SourceError when none fits."""
    for name in FORMATS:
        try:
            if module(name).sniff(source):
                return name
        except SourceError as error:
            if getattr(error, "refused", False):  # an archive too big to look into
                raise
            continue
    raise SourceError(
        f"cannot tell the format of this input; give it with --from ({', '.join(FORMATS)})",
        file=source.name,
        field="from",
    )


def parse(
    source: Source, options: ParseOptions | None = None, fmt: str | None = None
) -> Iterator[TimelineEvent]:
    """The events of one input within the options' time window."""
    options = options or ParseOptions()
    importer = module(fmt or detect(source))
    if options.since is None and options.until is None:
        yield from importer.parse(source, options)
        return
    for event in importer.parse(source, options):
        if options.in_window(event.at):
            yield event


__all__ = ["FORMATS", "ParseOptions", "Source", "SourceError", "describe", "detect", "parse"]
