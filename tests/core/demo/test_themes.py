"""The theme templates: only known facts, valid vocabulary, a timeline that starts early."""

from __future__ import annotations

import string

import pytest

from secondstory.core import taxonomy
from secondstory.core.demo.organisation import SERVICE_NAMES, TEAM_MEMBERS
from secondstory.core.demo.theme import COMMON_FACTS, REQUIRED_OPTION_FACTS, Theme
from secondstory.core.demo.themes import THEMES
from secondstory.core.demo.timeline import BACKBONE, DEFAULT_DETECTION

# Facts added per incident besides COMMON_FACTS, for references and links.
EXTRA_FACTS = {"chan_id", "pd_id", "sp_id", "prev"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _templates(theme: Theme) -> list[str]:
    out = [*theme.titles, *theme.summary, *theme.trigger, *theme.background, *theme.impact]
    out += [*theme.detection_text, *theme.response_text, *theme.went_well, *theme.went_poorly]
    out += [*theme.got_lucky, *theme.surprises, *theme.open_questions]
    steps = [*BACKBONE, *theme.steps, theme.detection or DEFAULT_DETECTION]
    for step in steps:
        out += [*step.texts, step.ref, step.url]
    for factor in theme.factors:
        out += [*factor.descriptions, *factor.evidence]
    for action in theme.actions:
        out += [*action.titles, action.done]
    for group in theme.options:
        for option in group:
            out += list(option.values())
    return out


def test_there_are_about_ten_themes() -> None:
    assert 8 <= len(THEMES) <= 12
    assert len({t.code for t in THEMES}) == len(THEMES)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.code)
def test_templates_use_known_facts(theme: Theme) -> None:
    for group in theme.options:
        # svc2 is optional: an option may name the second service it involves.
        keys = [set(option) - {"svc2"} for option in group]
        assert all(k == keys[0] for k in keys), f"{theme.code}: options differ in their keys"
    option_facts = {key for group in theme.options for option in group for key in option}
    assert option_facts >= REQUIRED_OPTION_FACTS
    known = COMMON_FACTS | option_facts | EXTRA_FACTS
    for template in _templates(theme):
        assert _fields(template) <= known, (theme.code, template)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.code)
def test_vocabulary_and_structure(theme: Theme) -> None:
    categories = {c.code for c in taxonomy.DEFAULT_FACTOR_CATEGORIES}
    assert all(s in SERVICE_NAMES for s in (*theme.services, *theme.extra_services))
    assert {f.category for f in theme.factors} <= categories
    assert len(theme.factors) >= 4 and any(f.core for f in theme.factors)
    assert len(theme.actions) >= 4
    codes = {f.code for f in theme.factors}
    for action in theme.actions:
        assert action.type in taxonomy.ACTION_TYPES
        assert action.priority in taxonomy.ACTION_PRIORITIES
        assert set(action.factors) <= codes
        assert not action.team or action.team in TEAM_MEMBERS
        assert all(t.split()[0][0].isupper() or t.startswith("{") for t in action.titles)
    tags = {s.tag for s in (*theme.steps, *BACKBONE, theme.detection or DEFAULT_DETECTION)}
    for factor in theme.factors:
        assert set(factor.tags) <= tags, (theme.code, factor.code)
    assert len(theme.severity_weights) == 4 and sum(theme.severity_weights) > 0
    assert theme.visibility in taxonomy.VISIBILITIES


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.code)
def test_the_timeline_starts_before_impact(theme: Theme) -> None:
    early = [
        s for s in theme.steps if s.anchor == "impact" and s.hi < 0 and s.chance == 1 and not s.when
    ]
    assert early, theme.code
    assert {s.kind for s in theme.steps} <= set(taxonomy.TIMELINE_KINDS)
    assert any(not s.known for s in theme.steps)
