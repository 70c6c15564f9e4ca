"""Organisation settings and plugin rules.

Settings come from ``[tool.secondstory.review]`` in ``pyproject.toml`` or from a
``secondstory.toml`` (top level, or a ``[review]`` table), found from a directory upward::

    [tool.secondstory.review]
    names = ["Dana Reyes", "Kofi"]
    teams = ["payments", "the edge team"]
    disable = ["minimisation"]
    enable = ["single-root-cause"]
    preset = "default"

Plugins register a :class:`Rule` under the entry point group ``secondstory.review_rules``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from secondstory.core.review.ruler import Rule

PLUGIN_GROUP = "secondstory.review_rules"
_LIST_KEYS = ("names", "teams", "disable", "enable")


class ConfigError(ValueError):
    """A settings file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class ReviewConfig:
    """Review settings of an organisation."""

    names: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    preset: str = "default"
    source: Path | None = None


def _table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read settings: {exc}") from exc
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("secondstory", {}).get("review")
    else:
        table = data.get("review", data)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: review settings must be a table")
    return table


def config_from_table(table: dict[str, Any], path: Path | None = None) -> ReviewConfig:
    """Validate a settings table into a :class:`ReviewConfig`."""
    where = f"{path}: " if path else ""
    values: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        raw = table.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ConfigError(f"{where}field {key!r} must be a list of strings")
        values[key] = tuple(raw)
    preset = table.get("preset", "default")
    if not isinstance(preset, str):
        raise ConfigError(f"{where}field 'preset' must be a string")
    return ReviewConfig(preset=preset, source=path, **values)


def load_config(start_dir: Path) -> ReviewConfig:
    """Settings from the nearest ``secondstory.toml`` or ``pyproject.toml`` at or above a dir.

    Example:
        >>> load_config(Path("/")).preset
        'default'
    """
    directory = start_dir.resolve()
    for folder in (directory, *directory.parents):
        for name in ("secondstory.toml", "pyproject.toml"):
            path = folder / name
            if path.is_file():
                table = _table(path)
                if table is not None:
                    return config_from_table(table, path)
    return ReviewConfig()


def load_plugins() -> list[Rule]:
    """Rules exposed by installed plugins (a Rule, or a callable returning one)."""
    rules: list[Rule] = []
    for ep in entry_points(group=PLUGIN_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must name itself, whatever it raised
            raise ConfigError(f"plugin {ep.name!r} ({ep.value}) cannot be loaded: {exc}") from exc
        rule = obj if isinstance(obj, Rule) else obj() if callable(obj) else None
        if not isinstance(rule, Rule):
            raise ConfigError(f"plugin {ep.name!r} ({ep.value}) does not expose a Rule")
        rules.append(rule)
    return rules
