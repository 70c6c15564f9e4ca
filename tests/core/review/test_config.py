from __future__ import annotations

from pathlib import Path

import pytest

from secondstory.core.review import RULES, Rule, review
from secondstory.core.review import config as config_module
from secondstory.core.review.config import ConfigError, load_config, load_plugins


def test_pyproject_table_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.secondstory.review]\nnames = ["Sterling"]\nteams = ["core platform"]\n'
        'disable = ["minimisation"]\nenable = ["single-root-cause"]\npreset = "strict"\n'
    )
    sub = tmp_path / "docs" / "postmortems"
    sub.mkdir(parents=True)
    cfg = load_config(sub)
    assert cfg.names == ("Sterling",) and cfg.teams == ("core platform",)
    assert cfg.disable == ("minimisation",) and cfg.enable == ("single-root-cause",)
    assert cfg.preset == "strict" and cfg.source == tmp_path / "pyproject.toml"


def test_secondstory_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.secondstory.review]\nnames = ["A"]\n')
    (tmp_path / "secondstory.toml").write_text('[review]\nnames = ["B"]\n')
    assert load_config(tmp_path).names == ("B",)


def test_a_pyproject_without_the_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path).names == ()


def test_a_bad_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    (tmp_path / "secondstory.toml").write_text('names = "Sterling"\n')
    with pytest.raises(ConfigError, match=r"secondstory\.toml.*'names'"):
        load_config(tmp_path)


def test_team_names_from_the_config_count_as_people(tmp_path: Path) -> None:
    (tmp_path / "secondstory.toml").write_text('teams = ["core platform"]\n')
    text = "The core platform should have rotated the key."
    assert review(text) == []
    assert [f.rule for f in review(text, config=load_config(tmp_path))] == ["counterfactual"]


class _EntryPoint:
    name = "shouting"
    value = "example:RULE"

    def __init__(self, obj: object) -> None:
        self._obj = obj

    def load(self) -> object:
        return self._obj


def _shouting_rule() -> Rule:
    def find(text, ctx, people):  # type: ignore[no-untyped-def]
        if "!!!" in text:
            yield text.index("!!!"), text.index("!!!") + 3

    return Rule("shouting", "tone", "tone", "Shouting.", "No need to shout.", "Calmly?", find)


def test_plugins_expose_rules_through_the_entry_point_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    def fake_entry_points(*, group: str) -> list[_EntryPoint]:
        seen.append(group)
        return [_EntryPoint(_shouting_rule)]

    monkeypatch.setattr(config_module, "entry_points", fake_entry_points)
    [rule] = load_plugins()
    assert seen == ["secondstory.review_rules"] and rule.id == "shouting"
    assert "shouting" not in RULES  # loading alone does not change the built-in chain


def test_a_plugin_that_is_not_a_rule_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_module, "entry_points", lambda *, group: [_EntryPoint(42)])
    with pytest.raises(ConfigError, match="shouting"):
        load_plugins()


def test_a_plugin_that_cannot_be_imported_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(_EntryPoint):
        def load(self) -> object:
            raise ImportError("no module named example")

    monkeypatch.setattr(config_module, "entry_points", lambda *, group: [Broken(None)])
    with pytest.raises(ConfigError, match=r"shouting.*cannot be loaded"):
        load_plugins()


def test_review_runs_plugin_rules_after_the_built_in_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    import secondstory.core.review as api

    monkeypatch.setattr(
        config_module, "entry_points", lambda *, group: [_EntryPoint(_shouting_rule)]
    )
    monkeypatch.setattr(api, "load_plugins", config_module.load_plugins)
    monkeypatch.setattr(api, "_plugins_loaded", False)
    monkeypatch.setattr(api, "_CHAIN", api.Ruler(api.BUILTIN_RULES))
    monkeypatch.setattr(api, "RULES", dict(api.RULES))
    monkeypatch.setattr(api, "PRESETS", dict(api.PRESETS))
    findings = api.review("Obviously it broke!!!")
    assert [f.rule for f in findings] == ["hindsight", "shouting"]
    assert api.review("Obviously it broke!!!", disable=["shouting"])[-1].rule == "hindsight"
