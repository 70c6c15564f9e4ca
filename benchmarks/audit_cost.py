"""What the audit log costs the postmortem save path, measured in one process.

Loads the demo organisation into a fresh SQLite home (or the PostgreSQL database named by
SECONDSTORY_DATABASE_URL), signs in as a demo person without staff rights who owns a
postmortem, and posts edits of its summary section as the browser does, alternating blocks
with the audit capture connected and disconnected so that both see the same machine load.
Prints the CPU time per save (median of each mode, in ms), the difference, and the queries.

    python benchmarks/audit_cost.py
    python benchmarks/audit_cost.py --rounds 10 --saves 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.page_cpu import WARMUP, reader, save_ms  # noqa: E402
from secondstory.audit import capture  # noqa: E402
from secondstory.audit.models import AuditEvent  # noqa: E402
from secondstory.audit.record import type_of  # noqa: E402
from secondstory.postmortems.demo import load_demo  # noqa: E402


def disconnect() -> None:
    for model in list(capture._models):
        uid = f"audit-{type_of(model)}"
        for signal in (pre_save, post_save, post_delete):
            signal.disconnect(sender=model, dispatch_uid=uid)
        for m2m in model._meta.many_to_many:
            m2m_changed.disconnect(
                sender=m2m.remote_field.through, dispatch_uid=f"{uid}-{m2m.name}"
            )


def connect() -> None:
    capture.connect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="blocks of each mode")
    parser.add_argument("--saves", type=int, default=15, help="saves per block")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_demo(login=False)
    user, own, _ = reader()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    spent: dict[str, list[float]] = {"with audit": [], "without audit": []}
    queries: dict[str, int] = {}
    for n in range(WARMUP):
        save_ms(client, own, n)
    n = WARMUP
    for _ in range(args.rounds):
        for mode in ("without audit", "with audit"):
            (disconnect if mode == "without audit" else connect)()
            for _ in range(args.saves):
                connection.queries_log.clear()  # the count stays right past 9,000 queries
                ms, count = save_ms(client, own, n)
                n += 1
                spent[mode].append(ms)
                queries[mode] = count
    connect()
    print(f"database: {connection.vendor}; {args.rounds} x {args.saves} saves of each mode")
    for mode, values in spent.items():
        print(f"{mode:14} CPU median {statistics.median(values):6.2f} ms   queries {queries[mode]}")
    difference = statistics.median(spent["with audit"]) - statistics.median(spent["without audit"])
    events = AuditEvent.objects.count()
    print(f"audit cost per save: {difference:+.2f} ms CPU ({events} audit events written)")


if __name__ == "__main__":
    main()
