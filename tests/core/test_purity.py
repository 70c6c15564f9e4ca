"""The core stays pure: importing every core module loads no Django."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import secondstory.core


def test_importing_every_core_module_loads_no_django() -> None:
    names = [
        m.name for m in pkgutil.walk_packages(secondstory.core.__path__, prefix="secondstory.core.")
    ]
    assert "secondstory.core.invariants" in names
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(len(leaked)); sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
