"""Speed and peak memory of timeline imports as users run them, on SQLite or PostgreSQL.

Generates Slack workspace exports (default: 200,000 messages over 30 channels, as a folder
and as a zip, and 50,000 messages as a folder), then measures, each in its own process so
peak memory (resident set size) is its own:

1. parsing alone (``sources.parse``, no output), with redaction;
2. ``secondstory import`` onto an incident that has a postmortem (the usual case) and onto a
   bare one, from the folder and from the zip;
3. the same import again (everything is a duplicate);
4. ``secondstory import --dry-run`` at 50,000 and at the full size, onto an incident with a
   postmortem.

Every import goes onto a fresh incident. PostgreSQL: give ``--database-url`` (a database
you can spare: earlier benchmark incidents in it are deleted first).

    python benchmarks/import_speed.py
    python benchmarks/import_speed.py --messages 1000000
    python benchmarks/import_speed.py --database-url postgres://postgres@127.0.0.1:5432/bench
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
redactor = Redactor()
started = time.perf_counter()
count = 0
for event in sources.parse(Source(sys.argv[1]), fmt="slack"):
    event = redactor.event(event)
    count += 1
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(count, elapsed, peak)
"""

SETUP = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from secondstory.accounts.models import User
from secondstory.incidents.models import Incident, Severity
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.writing_services import start_postmortem
Postmortem.objects.filter(incidents__key__startswith="INC-BENCH-").delete()
Incident.objects.filter(key__startswith="INC-BENCH-").delete()
owner, _ = User.objects.get_or_create(username="bench-owner")
for spec in sys.argv[1:]:
    key, with_postmortem = spec.split("=")
    incident = Incident.objects.create(
        key=key, title="Benchmark " + key, severity=Severity.objects.first()
    )
    if with_postmortem == "1":
        start_postmortem(incident, owner=owner, template=None)
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


def run_import(
    label: str, export: Path, key: str, messages: int, env: dict[str, str], workdir: Path
) -> None:
    report = workdir / "report.txt"
    extra = ["--dry-run"] if "--dry-run" in label else []
    elapsed, peak = measured(
        [str(SECONDSTORY), "import", str(export), "--incident", key, *extra], env, str(report)
    )
    summary = next(line for line in report.read_text().splitlines() if line.startswith(key))
    print(
        f"{label:<44} {elapsed:6.1f} s  {messages / elapsed:8,.0f} msg/s  "
        f"peak {peak:5.0f} MiB   {summary}",
        flush=True,
    )


def measure(
    exports: dict[str, Path], sizes: dict[str, int], env: dict[str, str], only: list[str]
) -> None:
    workdir = Path(env["SECONDSTORY_HOME"])
    done = subprocess.run(
        [sys.executable, "-c", PARSE_ONLY, str(exports["folder"])],
        env=env,
        check=True,
        capture_output=True,
    )
    count, elapsed, peak = done.stdout.split()
    print(
        f"{'parse with redaction, no database':<44} {float(elapsed):6.1f} s  "
        f"{int(count) / float(elapsed):8,.0f} msg/s  peak {float(peak):5.0f} MiB",
        flush=True,
    )
    cases = [
        ("import, with postmortem, folder", "folder", "INC-BENCH-PM-DIR", True),
        ("import again (all duplicates), with postmortem", "folder", "INC-BENCH-PM-DIR", True),
        ("import, with postmortem, zip", "zip", "INC-BENCH-PM-ZIP", True),
        ("import, bare incident, folder", "folder", "INC-BENCH-BARE-DIR", False),
        ("import, bare incident, zip", "zip", "INC-BENCH-BARE-ZIP", False),
        ("import --dry-run, with postmortem, small", "small", "INC-BENCH-DRY-SMALL", True),
        ("import --dry-run, with postmortem, folder", "folder", "INC-BENCH-DRY", True),
    ]
    if only:
        cases = [case for case in cases if any(word in case[0] for word in only)]
    specs = sorted({f"{key}={int(pm)}" for _, _, key, pm in cases})
    subprocess.run([sys.executable, "-c", SETUP, *specs], env=env, check=True)
    for label, export, key, _ in cases:
        run_import(label, exports[export], key, sizes[export], env, workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=50_000, help="Size of the small dry run.")
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument(
        "--database-url", default="", help="postgres://… (default: SQLite in a fresh folder)."
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORDS",
        help="Only the import cases whose label contains WORDS (repeatable): 'bare', 'dry-run'.",
    )
    options = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from slack_export import generate

    with tempfile.TemporaryDirectory() as workdir:
        root = Path(workdir)
        exports = {
            "folder": root / "export",
            "zip": root / "export.zip",
            "small": root / "small",
        }
        sizes = {"folder": options.messages, "zip": options.messages, "small": options.small}
        started = time.perf_counter()
        for name, path in exports.items():
            generate(path, sizes[name], channels=options.channels, zip=name == "zip")
        print(
            f"generated {options.messages:,} messages over {options.channels} channels "
            f"(folder and zip) and {options.small:,} in {time.perf_counter() - started:.1f} s; "
            f"database: {'PostgreSQL' if options.database_url else 'SQLite'}",
            flush=True,
        )
        home = root / "home"
        home.mkdir()
        env = dict(os.environ, SECONDSTORY_HOME=str(home))
        env.pop("SECONDSTORY_DATABASE_URL", None)
        if options.database_url:
            env["SECONDSTORY_DATABASE_URL"] = options.database_url
        measure(exports, sizes, env, options.only)
        if not options.database_url:
            size = sum(p.stat().st_size for p in home.glob("*.sqlite3*"))
            print(f"database size: {size / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
