"""Speed and peak memory of timeline imports on a generated Slack export.

Generates a Slack workspace export (default: 1,000,000 messages over 30 channels), then
measures, each in its own process so peak memory is its own:

1. parsing alone (``sources.parse``, no output), without and with redaction;
2. ``secondstory parse EXPORT --format jsonl > /dev/null`` (parse, redact, print);
3. ``secondstory import EXPORT --incident INC-BENCH`` into a fresh SQLite database;
4. the same import again (everything is a duplicate).

    python benchmarks/import_speed.py                      # 1,000,000 messages
    python benchmarks/import_speed.py --messages 200000 --zip
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECONDSTORY = Path(sys.executable).with_name("secondstory")

PARSE_ONLY = """
import resource, sys, time
from secondstory.core.timeline import sources
from secondstory.core.timeline.redact import Redactor
from secondstory.core.timeline.sources.base import Source
redactor = Redactor() if sys.argv[2] == "redact" else None
started = time.perf_counter()
count = 0
for event in sources.parse(Source(sys.argv[1]), fmt="slack"):
    if redactor is not None:
        event = redactor.event(event)
    count += 1
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(count, elapsed, peak)
"""

SETUP = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from secondstory.incidents.models import Incident, Severity
Incident.objects.get_or_create(
    key="INC-BENCH", defaults={"title": "Benchmark", "severity": Severity.objects.first()}
)
"""


MEASURED = """
import resource, subprocess, sys, time
started = time.perf_counter()
out = open(sys.argv[1], "wb")
done = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - started
if done.returncode:
    sys.exit(done.stderr.decode())
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def measured(args: list[str], env: dict[str, str], output: str) -> tuple[float, float]:
    """Wall time and peak resident memory (MiB) of one command, its output sent to a file."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, output, *args], env=env, check=True, capture_output=True
    )
    elapsed, peak = done.stdout.split()
    return float(elapsed), float(peak)


def measure(export: Path, messages: int, workdir: Path) -> None:
    env = dict(os.environ)
    for mode in ("plain", "redact"):
        done = subprocess.run(
            [sys.executable, "-c", PARSE_ONLY, str(export), mode],
            env=env,
            check=True,
            capture_output=True,
        )
        count, elapsed, peak = done.stdout.split()
        rate = int(count) / float(elapsed)
        print(
            f"parse ({'with' if mode == 'redact' else 'without'} redaction): {int(count):,} "
            f"events in {float(elapsed):.1f} s = {rate:,.0f} events/s, peak {float(peak):.0f} MiB"
        )
    elapsed, peak = measured(
        [str(SECONDSTORY), "parse", str(export), "--format", "jsonl"], env, os.devnull
    )
    print(
        f"secondstory parse --format jsonl > /dev/null: {elapsed:.1f} s = "
        f"{messages / elapsed:,.0f} messages/s, peak {peak:.0f} MiB"
    )
    home = workdir / "home"
    home.mkdir()
    env["SECONDSTORY_HOME"] = str(home)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True)
    report = workdir / "report.txt"
    for label in ("import", "import again"):
        elapsed, peak = measured(
            [str(SECONDSTORY), "import", str(export), "--incident", "INC-BENCH"], env, str(report)
        )
        summary = next(
            line for line in report.read_text().splitlines() if line.startswith("INC-BENCH:")
        )
        print(
            f"secondstory {label}: {elapsed:.1f} s = {messages / elapsed:,.0f} messages/s, "
            f"peak {peak:.0f} MiB; {summary}"
        )
    size = sum(p.stat().st_size for p in home.glob("*.sqlite3*"))
    print(f"database size: {size / 2**20:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--zip", action="store_true", help="Measure the export as a zip file.")
    options = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from slack_export import generate

    with tempfile.TemporaryDirectory() as workdir:
        export = Path(workdir) / ("export.zip" if options.zip else "export")
        started = time.perf_counter()
        generate(export, options.messages, channels=options.channels, zip=options.zip)
        print(
            f"generated {options.messages:,} messages over {options.channels} channels in "
            f"{time.perf_counter() - started:.1f} s"
        )
        measure(export, options.messages, Path(workdir))


if __name__ == "__main__":
    main()
