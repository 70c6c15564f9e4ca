"""The search examples in the README and in docs/search.md find postmortems in the demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secondstory.accounts.models import User
from secondstory.library.search import search
from secondstory.postmortems.demo import load_demo

ROOT = Path(__file__).resolve().parents[3]
FILTER = re.compile(r"`([^`\n]*\b(?:service|team|factor|tag|severity|after|before):[^`\n]*)`")
CONSOLE = re.compile(r"^\$ secondstory search '([^']+)'", re.MULTILINE)


def examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    return [*FILTER.findall(readme), *CONSOLE.findall(guide)]


def test_there_are_examples_to_check() -> None:
    assert len(examples()) >= 2


@pytest.mark.django_db
def test_every_example_finds_something_in_the_demo_organisation() -> None:
    load_demo(login=False)
    reader = User.objects.create(username="librarian", role="admin")
    empty = [text for text in examples() if not search(text, user=reader).total]
    assert not empty, f"examples that find nothing in the demo: {empty}"
