"""Shared test set-up: every test run gets its own data directory."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pytest

os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-test-"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hashing a password the production way takes ~0.3 s; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pdf_engine() -> None:
    """Skip a PDF test where WeasyPrint's system libraries (Pango) are missing; `make ci`
    installs them and sets SECONDSTORY_REQUIRE_PDF, so there a missing library fails."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        reason = f"PDF tests need WeasyPrint's system libraries (make pdf-libs): {error}"
        if os.environ.get("SECONDSTORY_REQUIRE_PDF"):
            pytest.fail(reason)
        pytest.skip(reason)
