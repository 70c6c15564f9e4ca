"""The examples in the reviewer's docstrings stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import secondstory.core.review

MODULES = [
    m.name
    for m in pkgutil.walk_packages(
        secondstory.core.review.__path__, prefix="secondstory.core.review."
    )
] + ["secondstory.core.review"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
