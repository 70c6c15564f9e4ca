"""Backup, restore and check on a large organisation, as an operator runs them.

Fills a fresh data directory with `secondstory demo --scale N` (or measures an existing one
with --reuse HOME), then runs, each as its own process: `secondstory backup`, `secondstory
restore` into a new empty data directory (which ends with a full `check`), `secondstory
check` and `secondstory check --quick`; prints the wall time, the peak memory (maximum RSS)
and the backup's size. SQLite, or the database of SECONDSTORY_DATABASE_URL (give it a
database of its own; the restore then goes to RESTORE_URL, an empty database you created).

    python benchmarks/backup_restore.py --scale 10000
    python benchmarks/backup_restore.py --reuse ~/.secondstory-bench
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECONDSTORY = Path(sys.executable).with_name("secondstory")


def timed(label: str, args: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen([str(SECONDSTORY), *args], env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        code = process.returncode
        print(f"{label:<22} {elapsed:8.2f} s  peak {usage.ru_maxrss / 1024:7.1f} MB  exit {code}")
        if code not in (0, 2):
            out.seek(0)
            print(out.read()[-3000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--reuse", type=Path, help="measure this SECONDSTORY_HOME as it is")
    options = parser.parse_args()
    home = options.reuse or Path(tempfile.mkdtemp(prefix="secondstory-bench-"))
    env = {**os.environ, "SECONDSTORY_HOME": str(home)}
    if not options.reuse:
        print(f"filling {home} with --scale {options.scale} …", flush=True)
        subprocess.run(
            [str(SECONDSTORY), "demo", "--no-login", "--scale", str(options.scale)],
            env=env,
            check=True,
            capture_output=True,
        )
    target = Path(tempfile.mkdtemp(prefix="secondstory-backups-"))
    timed("backup", ["backup", str(target)], env)
    [backup] = sorted(target.iterdir())
    size = sum(p.stat().st_size for p in backup.iterdir())
    print(f"{'backup size':<22} {size / 1e6:8.1f} MB")
    restored = {**env, "SECONDSTORY_HOME": tempfile.mkdtemp(prefix="secondstory-restored-")}
    if "SECONDSTORY_DATABASE_URL" in os.environ:
        restored["SECONDSTORY_DATABASE_URL"] = os.environ["RESTORE_URL"]
    timed("restore (with check)", ["restore", str(backup)], restored)
    timed("check", ["check"], env)
    timed("check --quick", ["check", "--quick"], env)


if __name__ == "__main__":
    main()
