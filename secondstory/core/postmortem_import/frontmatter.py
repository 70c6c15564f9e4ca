"""YAML front matter of a free-form postmortem, read as plain text values.

Every scalar stays text (no YAML implicit typing); a key is found by its synonyms, without
case, with ``-`` and ``_`` alike. ``line_of`` tells the file line of a key for the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from secondstory.core.postmortem_import.blocks import Line
from secondstory.core.timeline.sources.base import SourceError

_KEY_LINE = re.compile(r"([A-Za-z0-9_ -]{1,60}?)\s*:")
_MAX_ITEMS = 200


@dataclass(slots=True)
class FrontMatter:
    values: dict[str, Any] = field(default_factory=dict)  # normalised key -> str | list[str]
    names: dict[str, str] = field(default_factory=dict)  # normalised key -> key as written
    lines: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def find(self, *keys: str) -> tuple[str, Any] | None:
        """The first present key of ``keys`` (normalised) and its value; marks it used."""
        for key in keys:
            if key in self.values:
                self.used.add(key)
                value = self.values[key]
                if value not in ("", [], None):
                    return key, value
        return None

    def text(self, *keys: str) -> tuple[str, str] | None:
        found = self.find(*keys)
        if found is None:
            return None
        key, value = found
        return key, ", ".join(value) if isinstance(value, list) else value

    def texts(self, *keys: str) -> list[tuple[str, str]]:
        """Every value of every key given, lists split into items, strings on commas."""
        out: list[tuple[str, str]] = []
        for key in keys:
            if key not in self.values:
                continue
            self.used.add(key)
            value = self.values[key]
            items = value if isinstance(value, list) else value.split(",")
            out.extend((key, item.strip()) for item in items if item.strip())
        return out

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 0)

    def unused(self) -> list[str]:
        return [key for key in self.values if key not in self.used]


def normal_key(key: str) -> str:
    return re.sub(r"[\s-]+", "_", key.strip().casefold())


def _plain(value: Any, depth: int = 0) -> str | list[str] | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and depth == 0:
        items: list[str] = []
        for item in value[:_MAX_ITEMS]:
            plain = _plain(item, depth + 1)
            if isinstance(plain, str) and plain:
                items.append(plain)
        return items
    if isinstance(value, dict) and depth <= 1:
        parts = []
        for key, item in list(value.items())[:_MAX_ITEMS]:
            plain = _plain(item, 2)
            if isinstance(key, str) and isinstance(plain, str) and plain:
                parts.append(f"{key}: {plain}")
        return "; ".join(parts)
    return None


def read_front_matter(lines: list[Line], first_line: int, file: str) -> FrontMatter | None:
    """The front matter, None when the block is not YAML key/values (e.g. a rule ``---``).

    A block that looks like YAML keys but does not parse is refused with its line.
    """
    text = "\n".join(line for _, line in lines)
    try:
        data = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        looks_like_yaml = any(_KEY_LINE.match(line) for _, line in lines[:3] if line.strip())
        if not looks_like_yaml:
            return None
        mark = getattr(exc, "problem_mark", None)
        line = first_line + 1 + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise SourceError(
            f"not valid YAML: {problem}", file=file, line=line, field="front_matter"
        ) from exc
    except RecursionError as exc:
        raise SourceError(
            "front matter nested too deeply", file=file, line=first_line, field="front_matter"
        ) from exc
    if not isinstance(data, dict):
        return None
    front = FrontMatter()
    for number, text_line in lines:
        match = _KEY_LINE.match(text_line)
        if match:
            front.lines.setdefault(normal_key(match.group(1)), number)
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        name = normal_key(key)
        plain = _plain(value)
        if plain is None:
            plain = ""
        front.values[name] = plain
        front.names[name] = key
    return front
