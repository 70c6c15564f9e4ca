"""Parse an exchange file back into a postmortem record.

The front matter is composed into YAML nodes (``yaml.compose`` with the safe
loader), never loaded with implicit typing: every scalar is read as the text
it is written as, except where the format expects a boolean, the format
version or a JSON-like ``raw`` payload. Every problem carries its file line.
After the structure is read, the record is checked with
:func:`secondstory.core.invariants.postmortem_problems` and each problem's
path is mapped back to the line of the value it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from yaml.nodes import Node

from secondstory.core.exchange import build, markdown
from secondstory.core.exchange.errors import ExchangeError, LocatedProblem
from secondstory.core.exchange.reader import LineIndex, Reader
from secondstory.core.exchange.schema import FilePath, to_file_path
from secondstory.core.invariants import (
    Path,
    Problem,
    Vocabulary,
    format_path,
    postmortem_problems,
)
from secondstory.core.record import PostmortemRecord

FRONT_MATTER = "front_matter"
SECTIONS_FIELD = "sections"


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases (``*name``): files are plain trees."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not supported", event.start_mark
            )
        return super().compose_node(parent, index)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A valid record with the file line of every value, to place later problems."""

    record: PostmortemRecord
    source: str
    lines: dict[FilePath, int]

    def line(self, path: Path) -> int:
        """The line of the value at an invariant ``path`` (or of its nearest ancestor)."""
        return _nearest_line(self.lines, self._file_path(path))

    def located(self, problems: Iterable[Problem]) -> ExchangeError:
        """Problems found after parsing (e.g. against stored data), placed in the file."""
        return ExchangeError(
            LocatedProblem(
                self.source,
                self.line(p.path),
                format_path(self._file_path(p.path)) or "front_matter",
                p.message,
            )
            for p in problems
        )

    def _file_path(self, path: Path) -> FilePath:
        kinds = [[m.kind for m in incident.milestones] for incident in self.record.incidents]
        return to_file_path(path, kinds)


def parse_postmortem(
    text: str, *, source: str = "<string>", vocab: Vocabulary | None = None
) -> PostmortemRecord:
    """Read an exchange file; raise :class:`ExchangeError` listing every problem."""
    return read_postmortem(text, source=source, vocab=vocab).record


def read_postmortem(
    text: str, *, source: str = "<string>", vocab: Vocabulary | None = None
) -> ParsedFile:
    """Like :func:`parse_postmortem`, keeping the line of every value read."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")

    def fail(line: int, field: str, message: str) -> ExchangeError:
        return ExchangeError([LocatedProblem(source, line, field, message)])

    if lines[0].rstrip(" \t") != "---":
        raise fail(
            1,
            FRONT_MATTER,
            "missing front matter: the file must start with a '---' line, "
            "then the YAML front matter, then another '---' line",
        )
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip(" \t") == "---"), None)
    if close is None:
        raise fail(1, FRONT_MATTER, "the front matter is never closed by a '---' line")
    front = "\n".join(lines[1:close]) + "\n"
    index = LineIndex(front, first_line=2)
    try:
        root = yaml.compose(front, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = index.line(mark.index) if mark is not None else 2
        message = f"invalid YAML: {error.problem or error}"
        if error.context and error.context_mark is not None:
            message += f" ({error.context} on line {index.line(error.context_mark.index)})"
        elif error.context:
            message += f" ({error.context})"
        raise fail(line, FRONT_MATTER, message) from None
    except yaml.reader.ReaderError as error:
        character = error.character if isinstance(error.character, str) else chr(error.character)
        message = f"invalid YAML: the character {character!r} is not allowed ({error.reason})"
        raise fail(index.line(error.position), FRONT_MATTER, message) from None
    except RecursionError:
        raise fail(2, FRONT_MATTER, "invalid YAML: nested too deeply") from None
    if root is None:
        raise fail(2, FRONT_MATTER, "the front matter is empty")

    reader = Reader(source, index)
    reader.lines[()] = reader.line(root)
    try:
        record = build.postmortem(reader, root)
    except build.UnsupportedVersion:
        raise ExchangeError(reader.problems) from None
    _add_body_sections(reader, record, lines[close + 1 :], first_line=close + 2)
    if reader.problems:
        raise ExchangeError(reader.problems)

    problems = []
    kinds = [[milestone.kind for milestone in incident.milestones] for incident in record.incidents]
    for problem in postmortem_problems(record, vocab):
        path = to_file_path(problem.path, kinds)
        problems.append(
            LocatedProblem(
                source, _nearest_line(reader.lines, path), format_path(path), problem.message
            )
        )
    if problems:
        raise ExchangeError(problems)
    return ParsedFile(record, source, reader.lines)


def _add_body_sections(
    reader: Reader, record: PostmortemRecord, lines: list[str], first_line: int
) -> None:
    body = markdown.split_body(lines, first_line)
    if body.stray_text_line is not None:
        reader.problem(
            body.stray_text_line,
            (SECTIONS_FIELD,),
            "text before the first section heading; start each section with '## <Heading>'",
        )
    found: dict[str, int] = {}
    for section in body.sections:
        name = markdown.HEADING_FIELD.get(section.heading)
        if name is None:
            reader.problem(
                section.line,
                (SECTIONS_FIELD,),
                f"unknown section heading {section.heading!r}; expected one of: "
                f"{markdown.KNOWN_HEADINGS} (use '###' for headings inside a section)",
            )
            continue
        path = (SECTIONS_FIELD, name)
        if name in found:
            reader.problem(
                section.line,
                path,
                f"section {section.heading!r} appears twice (first on line {found[name]})",
            )
            continue
        found[name] = section.line
        if path in reader.lines:
            reader.problem(
                section.line,
                path,
                f"section {section.heading!r} is given both in the front matter "
                f"(line {reader.lines[path]}) and in the body",
            )
            continue
        reader.lines[path] = section.line
        if section.text:
            record.sections[name] = section.text


def _nearest_line(lines: dict[FilePath, int], path: FilePath) -> int:
    """The line of ``path``, or of its nearest ancestor that is in the file."""
    for length in range(len(path), -1, -1):
        line = lines.get(path[:length])
        if line is not None:
            return line
    return 1
