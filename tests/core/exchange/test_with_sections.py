"""``with_sections``: a rendered postmortem with other sections, without the rest of the
record, is the text ``render_postmortem`` gives for the record with those sections."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from secondstory.core.exchange import parse_postmortem, render_postmortem
from secondstory.core.exchange.render import with_sections
from secondstory.core.record import PostmortemRecord
from secondstory.core.taxonomy import SECTION_FIELDS
from tests.core.exchange.test_game_day import _review

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exchange"
VALID = sorted((FIXTURES / "valid").glob("*.md"))

#: Texts the Markdown body holds and texts only the front matter can (see ``fits_body``).
TEXTS = [
    "Plain.",
    "Two lines\nof text.",
    "A textarea's text ends with a line end\n",
    "  leading spaces",
    "Blank lines kept at the end\n\n\n",
    "## A heading line",
    "```\n## in a fence\n```",
    "```\nnever closed",
    "Ünïcode — and “quotes”: yes, #hash",
    "a line\u2028separator",
    "key: value\n- item",
    "",
]


def records() -> list[PostmortemRecord]:
    found = [parse_postmortem(path.read_text(encoding="utf-8")) for path in VALID]
    return [*found, _review()]  # type: ignore[list-item]


@pytest.mark.parametrize("record", records(), ids=lambda r: r.key)
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_one_section_changed_gives_the_full_render(record: PostmortemRecord, text: str) -> None:
    old = render_postmortem(record)
    for field in ("summary", "impact", SECTION_FIELDS[-1]):
        sections = {**record.sections, field: text}
        new = dataclasses.replace(record, sections={k: v for k, v in sections.items() if v})
        assert with_sections(old, sections) == render_postmortem(new)


@pytest.mark.parametrize("record", records(), ids=lambda r: r.key)
def test_every_section_changed_gives_the_full_render(record: PostmortemRecord) -> None:
    text = render_postmortem(record)
    for shift in range(len(TEXTS)):
        sections = {
            field: TEXTS[(n + shift) % len(TEXTS)] for n, field in enumerate(SECTION_FIELDS)
        }
        new = dataclasses.replace(record, sections={k: v for k, v in sections.items() if v})
        expected = render_postmortem(new)
        assert with_sections(text, sections) == expected
        text = expected  # from front matter sections back to the body and on


def test_a_text_not_laid_out_by_the_renderer_is_refused() -> None:
    assert with_sections("# just Markdown\n", {"summary": "x"}) is None
    assert with_sections("---\nkey: PM-1\n", {"summary": "x"}) is None
    assert with_sections("---\nkey: PM-1\n---\nloose text\n", {"summary": "x"}) is None
