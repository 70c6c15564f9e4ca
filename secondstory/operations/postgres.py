"""PostgreSQL's own tools behind backup and restore: finding ``pg_dump`` and ``pg_restore``.

A dump made by an older ``pg_dump`` than the server may miss what the server has, and
``pg_dump`` refuses a newer server anyway, so the tool is chosen by its major version:
the newest one found on ``PATH`` or under ``/usr/lib/postgresql/*/bin`` that is at least
the server's.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connection


class ToolMissing(Exception):
    """No usable PostgreSQL client tool; the message says what to install."""


_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def tool_major(path: str) -> int | None:
    try:
        result = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = _VERSION.search(result.stdout)
    return int(found.group(1)) if found else None


def candidates(name: str) -> list[str]:
    found = []
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    found.extend(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")))
    return list(dict.fromkeys(found))


def find_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore`` whose major version is at least the server's."""
    wanted = server_major()
    versions = {path: tool_major(path) for path in candidates(name)}
    usable = [(v, p) for p, v in versions.items() if v is not None and v >= wanted]
    if usable:
        return max(usable)[1]
    if not versions:
        raise ToolMissing(
            f"{name} not found on PATH or under /usr/lib/postgresql/*/bin; install the "
            f"PostgreSQL {wanted} client tools (Debian/Ubuntu: postgresql-client-{wanted})"
        )
    seen = ", ".join(f"{p} ({v or 'unknown version'})" for p, v in versions.items())
    raise ToolMissing(
        f"{name} is older than the server (PostgreSQL {wanted}): found {seen}; install the "
        f"PostgreSQL {wanted} client tools (Debian/Ubuntu: postgresql-client-{wanted})"
    )


def connection_arguments() -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment that reach the configured database."""
    config = connection.settings_dict
    arguments = []
    if config.get("HOST"):
        arguments += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        arguments += ["--port", str(config["PORT"])]
    if config.get("USER"):
        arguments += ["--username", str(config["USER"])]
    arguments += ["--dbname", str(config["NAME"])]
    environment = dict(os.environ)
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    sslmode = (config.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        environment["PGSSLMODE"] = str(sslmode)
    return arguments, environment


def run_tool(command: list[str], environment: dict[str, str]) -> None:
    """Run a client tool; its error output becomes the message of a RuntimeError."""
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = "; ".join(lines[:3]) or f"exit status {result.returncode}"
        raise RuntimeError(f"{Path(command[0]).name} failed: {detail}")
