"""Memory and time to refuse a zip bomb: a Slack export whose one day file inflates to 1 GiB.

Writes the archive (streamed, about a megabyte on disk), then in a fresh process tells its
format and parses it as `secondstory import` would, and prints the refusal, the time it took
and the process's peak resident memory. The goal: refused with a clear message in well under
a second, memory under 300 MB. The web import's preview reads a staged upload through the
same importer, so the figures hold there too.

Example:
    .venv/bin/python benchmarks/zip_bomb_memory.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

INFLATED = 1024**3
CHUNK = b"\0" * (4 * 1024**2)

PROBE = """
import resource, sys, time
from secondstory.core.timeline import sources
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
source = Source(sys.argv[1], "slack-export.zip")
start = time.perf_counter()
try:
    for event in sources.parse(source, ParseOptions()):
        pass
    outcome = "read without refusal"
except SourceError as error:
    outcome = str(error)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"refusal            : {outcome}")
print(f"time to refuse     : {elapsed * 1000:.1f} ms")
print(f"peak memory (RSS)  : {peak:.0f} MB")
"""


def write_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps([{"id": "U1", "name": "ana"}]))
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
        with archive.open("incident/2026-03-01.json", "w", force_zip64=True) as member:
            for _ in range(INFLATED // len(CHUNK)):
                member.write(CHUNK)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bomb = Path(folder) / "slack-export.zip"
        write_bomb(bomb)
        print(f"archive on disk    : {bomb.stat().st_size / 1024**2:.2f} MB")
        print(f"inflates to        : {INFLATED / 1024**3:.0f} GiB")
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(bomb)], capture_output=True, text=True, check=True
        )
        print(result.stdout, end="")


if __name__ == "__main__":
    main()
