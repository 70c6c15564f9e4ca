"""Shared test set-up: every test run gets its own data directory."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-test-"))
