"""Importers: raw exports and payloads turned into timeline events.

One module per format (see ``base`` for the contract). ``FORMATS`` lists them in the order
``detect`` tries them: the most specific shapes first, the generic ones last.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import MissingOption, ParseOptions, Source, SourceError

FORMATS: tuple[str, ...] = (
    "slack",
    "slack_api",
    "mattermost",
    "mattermost_api",
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


# Formats that fit many files (any JSON lines, any table, any timed line): a more specific
# format that also claims a file wins without a word.
GENERIC = frozenset({"jsonl", "csv", "plain"})
# Importers that recognise the files saved beside their inputs (users, channels).
COMPANIONS = ("slack_api", "mattermost_api")


def claims(source: Source) -> list[str]:
    """Every format whose importer claims the input, in the order of ``FORMATS`` (told once
    per input)."""
    if source.claimed_by is not None:
        return source.claimed_by
    found = []
    for name in FORMATS:
        try:
            if module(name).sniff(source):
                found.append(name)
        except SourceError as error:
            if getattr(error, "refused", False):  # an archive too big to look into
                raise
            continue  # sniffers do not raise; an unreadable input is claimed by none
        except (OSError, ValueError, RecursionError):
            continue
    source.claimed_by = found
    return found


def companion(source: Source) -> str:
    """What a file read with the inputs beside it holds ("Slack users, ..."), or ""."""
    for name in COMPANIONS:
        try:
            found = str(module(name).companion(source))
        except (SourceError, OSError):
            continue
        if found:
            return found
    return ""


def detect(source: Source) -> str:
    """The format of an input, told from its content; SourceError when none fits.

    When more than one specific format claims the input, the first is used and a warning says
    which others matched, so that ``--from`` can correct it.
    """
    matched = claims(source)
    source.forget_head()
    specific = [name for name in matched if name not in GENERIC]
    chosen = specific or matched
    if chosen:
        if len(specific) > 1:
            source.warn(
                f"read as {specific[0]}, but it also looks like {', '.join(specific[1:])}; "
                "give --from if that is wrong"
            )
        return chosen[0]
    beside = companion(source)
    if beside:
        raise SourceError(
            f"this file holds {beside}; give the file of messages (or the whole folder)",
            file=source.name,
            field="from",
        )
    raise MissingOption(
        f"cannot tell the format of this input; give it with --from ({', '.join(FORMATS)})",
        option="from",
        what="this file",
        file=source.name,
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


__all__ = [
    "FORMATS",
    "ParseOptions",
    "Source",
    "SourceError",
    "claims",
    "companion",
    "describe",
    "detect",
    "parse",
]
