"""Reading YAML nodes into typed values, collecting located problems.

The parser composes the front matter into a node graph (never constructing
Python objects with YAML's implicit typing) and reads every value through a
:class:`Reader`. Each read checks the node's shape, records the file line of
the value under its path (for mapping invariant problems back to lines), and on
a problem records it and returns a placeholder, so that one pass reports every
structural problem in the file.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from secondstory.core.exchange.errors import LocatedProblem
from secondstory.core.exchange.schema import FilePath
from secondstory.core.invariants import format_path

T = TypeVar("T")

NULL_TAG = "tag:yaml.org,2002:null"
PLACEHOLDER_DATETIME = datetime(1970, 1, 1, tzinfo=UTC)
PLACEHOLDER_DATE = date(1970, 1, 1)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_MAX_DEPTH = 64
# Payload scalars follow JSON (and YAML 1.2), not YAML 1.1: ``yes``, ``on``,
# ``012`` or ``1_000`` stay strings; only these forms become other types.
_JSON_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_JSON_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_YAML = "tag:yaml.org,2002:"
_STRING_TAGS = {_YAML + name for name in ("str", "bool", "int", "float", "timestamp")}

Fields = dict[str, Node]


def is_null(node: Node) -> bool:
    """An unquoted empty value, ``~`` or ``null``."""
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG and not node.style


class LineIndex:
    """Turns a character index in the front matter into a 1-based line of the file."""

    def __init__(self, text: str, first_line: int) -> None:
        self._breaks = [i for i, ch in enumerate(text) if ch == "\n"]
        self._first_line = first_line

    def line(self, index: int) -> int:
        return self._first_line + bisect.bisect_left(self._breaks, index)


class Reader:
    def __init__(self, source: str, lines: LineIndex) -> None:
        self.source = source
        self.index = lines
        self.problems: list[LocatedProblem] = []
        # File line of every value read, by path in the file's key names.
        self.lines: dict[FilePath, int] = {}

    def line(self, node: Node) -> int:
        return self.index.line(node.start_mark.index)

    def problem(self, line: int, path: FilePath, message: str) -> None:
        field = format_path(path) if path else "front_matter"
        self.problems.append(LocatedProblem(self.source, line, field, message))

    def bad(self, node: Node, path: FilePath, message: str) -> None:
        self.problem(self.line(node), path, message)

    # -- containers ---------------------------------------------------------------

    def mapping(
        self, node: Node, path: FilePath, keys: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> Fields | None:
        """The values of a mapping with a fixed set of keys, by key."""
        pairs = self.pairs(node, path)
        if pairs is None:
            return None
        fields: Fields = {}
        for name, key_node, value in pairs:
            if name in keys:
                fields[name] = value
            else:
                self.bad(
                    key_node,
                    (*path, name),
                    f"unknown key {name!r}; expected one of: {', '.join(keys)}",
                )
        for name in required:
            if name not in fields:
                self.bad(node, (*path, name), f"missing required key {name!r}")
        return fields

    def pairs(self, node: Node, path: FilePath) -> list[tuple[str, Node, Node]] | None:
        """The entries of a mapping with free keys (strings), in file order."""
        if not isinstance(node, MappingNode):
            self.bad(node, path, f"expected a mapping, got {_describe(node)}")
            return None
        out: list[tuple[str, Node, Node]] = []
        seen: set[str] = set()
        for key_node, value in node.value:
            if not isinstance(key_node, ScalarNode):
                self.bad(key_node, path, f"expected a plain key, got {_describe(key_node)}")
                continue
            name = key_node.value
            if name in seen:
                self.bad(key_node, (*path, name), f"duplicate key {name!r}")
                continue
            seen.add(name)
            self.lines[(*path, name)] = self.line(key_node)
            out.append((name, key_node, value))
        return out

    def items(self, node: Node, path: FilePath) -> list[tuple[Node, FilePath]]:
        """The items of a list, each with its path."""
        if is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.bad(node, path, f"expected a list, got {_describe(node)}")
            return []
        out: list[tuple[Node, FilePath]] = []
        for i, item in enumerate(node.value):
            self.lines[(*path, i)] = self.line(item)
            out.append((item, (*path, i)))
        return out

    def optional(
        self,
        fields: Fields,
        name: str,
        path: FilePath,
        read: Callable[[Node, FilePath], T],
        default: T,
    ) -> T:
        """Read ``name`` if present and not null, else ``default``."""
        node = fields.get(name)
        if node is None or is_null(node):
            return default
        return read(node, (*path, name))

    def required(
        self,
        fields: Fields,
        name: str,
        path: FilePath,
        read: Callable[[Node, FilePath], T],
        placeholder: T,
    ) -> T:
        """Read ``name``; when it is missing :meth:`mapping` has reported it already."""
        node = fields.get(name)
        if node is None:
            return placeholder
        return read(node, (*path, name))

    # -- scalars -----------------------------------------------------------------

    def string(self, node: Node, path: FilePath) -> str:
        """Any scalar, as the text it is written as; unquoted null is the empty string."""
        if not isinstance(node, ScalarNode):
            self.bad(node, path, f"expected a string, got {_describe(node)}")
            return ""
        return "" if is_null(node) else str(node.value)

    def strings(self, node: Node, path: FilePath) -> list[str]:
        return [self.string(item, item_path) for item, item_path in self.items(node, path)]

    def boolean(self, node: Node, path: FilePath) -> bool:
        if isinstance(node, ScalarNode) and not node.style and node.value in _TRUE + _FALSE:
            return node.value in _TRUE
        self.bad(node, path, f"expected true or false, got {_describe(node)}")
        return False

    def moment(self, node: Node, path: FilePath) -> datetime:
        """An aware datetime in ISO 8601; naive datetimes are refused."""
        if not isinstance(node, ScalarNode) or is_null(node):
            self.bad(node, path, f"expected a date and time, got {_describe(node)}")
            return PLACEHOLDER_DATETIME
        text = str(node.value)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.bad(
                node,
                path,
                "expected an ISO 8601 date and time such as 2026-03-04T14:02:00+01:00, "
                f"got {text!r}",
            )
            return PLACEHOLDER_DATETIME
        if moment.utcoffset() is None:
            self.bad(
                node,
                path,
                f"{text!r} has no UTC offset, so the time is ambiguous; "
                "add the offset it was recorded in, e.g. +01:00, or Z for UTC",
            )
            return PLACEHOLDER_DATETIME
        return moment

    def day(self, node: Node, path: FilePath) -> date:
        """A calendar date, ``YYYY-MM-DD``."""
        if isinstance(node, ScalarNode) and _DATE.fullmatch(node.value):
            try:
                return date.fromisoformat(node.value)
            except ValueError:
                pass
        self.bad(node, path, f"expected a date such as 2026-03-31, got {_describe(node)}")
        return PLACEHOLDER_DATE

    def json(self, node: Node, path: FilePath, depth: int = 0) -> Any:
        """A JSON-like value: mappings, lists, strings, numbers, booleans, null."""
        if depth > _MAX_DEPTH:
            self.bad(node, path, "nested too deeply")
            return None
        if isinstance(node, MappingNode):
            pairs = self.pairs(node, path) or []
            return {name: self.json(value, (*path, name), depth + 1) for name, _, value in pairs}
        if isinstance(node, SequenceNode):
            return [
                self.json(item, item_path, depth + 1) for item, item_path in self.items(node, path)
            ]
        if not isinstance(node, ScalarNode) or node.tag not in _STRING_TAGS | {NULL_TAG}:
            self.bad(node, path, f"unsupported value {_describe(node)} (tag {node.tag})")
            return None
        return _json_scalar(node)


def _json_scalar(node: ScalarNode) -> Any:
    text = str(node.value)
    tag = node.tag.removeprefix(_YAML)
    if tag == "null":
        return None
    if tag == "bool" and text in _TRUE + _FALSE:
        return text in _TRUE
    if tag == "int" and _JSON_INT.fullmatch(text):
        return int(text)
    if tag == "float" and _JSON_FLOAT.fullmatch(text):
        return float(text)
    if tag == "float" and text.lower() in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text.lower()]
    return text


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        if is_null(node):
            return "nothing" if node.value in ("", "~") else repr(node.value)
        return repr(node.value)
    return "an unexpected value"
