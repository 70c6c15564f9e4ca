"""Server CPU per page for a reader without staff rights, on the demo organisation.

Loads the demo organisation (as `secondstory demo` does) into a fresh SQLite home (or the
PostgreSQL database named by SECONDSTORY_DATABASE_URL), signs in as the first person of the
demo without staff rights who owns a postmortem, and requests the pages of the load mix
(benchmarks/load.py) in-process with Django's test client ("page after save": the owner's own
postmortem page right after a section save of theirs, which is not measured). Each page is
requested a few times to warm up, then RUNS times; it prints the CPU time of this process per
request (median and 90th percentile, in ms) and the number of queries. CPU time does not count
time spent waiting for another process, so the figures hold on a busy machine; on PostgreSQL
they leave out the database server's own CPU, which is printed apart (read from /proc for this
connection's server process). The postmortem page cycles through every postmortem the reader
may read, as the load mix does, each seen once before the measurement (its stored blameless
review is then warm, as on a live site).

    python benchmarks/page_cpu.py
    python benchmarks/page_cpu.py --runs 40
    python benchmarks/page_cpu.py --profile "postmortem page"    # where the time goes
"""

from __future__ import annotations

import argparse
import html as htmlmod
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from secondstory.accounts.models import User  # noqa: E402
from secondstory.postmortems.demo import load_demo  # noqa: E402
from secondstory.postmortems.models import Postmortem  # noqa: E402
from secondstory.postmortems.services import visible_postmortems  # noqa: E402

WARMUP = 3


def reader() -> tuple[User, str, list[str]]:
    """A demo person without staff rights who owns a postmortem, that postmortem's key
    (for the edit forms) and the keys of every postmortem they may read."""
    for user in User.objects.filter(is_staff=False, is_superuser=False).order_by("username"):
        owned = Postmortem.objects.filter(owner=user).order_by("key").first()
        if owned is not None:
            reads = list(visible_postmortems(user).order_by("key").values_list("key", flat=True))
            return user, owned.key, reads
    raise SystemExit("error: the demo organisation has no postmortem owned by a non-staff person")


Request = tuple[str, str, dict[str, str] | None]  # method, path, form data


def _field(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return htmlmod.unescape(value.group(1)) if value else ""


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return htmlmod.unescape(found.group(1)) if found else ""


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    option = re.search(r'<option value="([^"]*)"', select.group(1)) if select else None
    return htmlmod.unescape(option.group(1)) if option else ""


def pages(client: Client, own: str, reads: list[str]) -> list[tuple[str, Callable[[int], Request]]]:
    """The request kinds of the load mix; a write first reads its form (not measured), then
    sends what the load generator sends: a section save appends a line, quick capture adds
    one event."""

    def section_save(n: int) -> Request:
        url = f"/postmortems/{own}/sections/summary/edit/"
        form = client.get(url).content.decode()
        text = _textarea(form, "text").rstrip() + f"\n\nCPU check {n}.\n"
        data = {"base": _field(form, "base"), "text": text}
        return "POST", url, data

    def capture_add(n: int) -> Request:
        url = f"/postmortems/{own}/timeline/capture/"
        form = client.get(url).content.decode()
        data = {
            "text": f"{n % 24:02d}:{n % 60:02d} CPU check {n}",
            "default_date": _field(form, "default_date"),
            "default_zone": _field(form, "default_zone") or "UTC",
            "incident": _field(form, "incident") or _selected(form, "incident"),
            "action": "add",
        }
        return "POST", url, data

    def page_after_save(n: int) -> Request:
        send(client, section_save(10_000 + n))  # not measured: the writer's own save
        return "GET", f"/postmortems/{own}/", None

    return [
        ("home", lambda n: ("GET", "/", None)),
        ("postmortem page", lambda n: ("GET", f"/postmortems/{reads[n % len(reads)]}/", None)),
        ("page after save", page_after_save),
        ("action list", lambda n: ("GET", "/actions/", None)),
        ("library", lambda n: ("GET", "/library/search/", None)),
        ("search", lambda n: ("GET", "/library/search/?q=database", None)),
        ("search facets", lambda n: ("GET", "/library/search/facets/?q=database", None)),
        ("similar panel", lambda n: ("GET", f"/library/similar/{reads[n % len(reads)]}/", None)),
        ("section form", lambda n: ("GET", f"/postmortems/{own}/sections/summary/edit/", None)),
        ("section save", section_save),
        ("capture form", lambda n: ("GET", f"/postmortems/{own}/timeline/capture/", None)),
        ("capture add", capture_add),
    ]


def send(client: Client, request: Request) -> HttpResponse:
    method, path, data = request
    return client.post(path, data) if method == "POST" else client.get(path)


def database_cpu() -> float:
    """CPU seconds the PostgreSQL server process of this connection has used so far (it runs
    on this machine); 0 on SQLite, whose work is done in this process and counted already."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms(client: Client, request: Request) -> tuple[float, int, float]:
    """This process's CPU for ``request`` (ms), its queries, and the database server's CPU
    (ms, PostgreSQL only)."""
    server = database_cpu()
    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        response = send(client, request)
        spent = (time.process_time() - started) * 1000
    if response.status_code not in (200, 302, 303):
        raise SystemExit(f"error: {request[0]} {request[1]} answered {response.status_code}")
    return spent, len(queries), (database_cpu() - server) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="measured requests per page")
    parser.add_argument("--profile", metavar="PAGE", help="profile PAGE with cProfile instead")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    load_demo(login=False)
    user, own, reads = reader()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    chosen = pages(client, own, reads)
    # Every readable postmortem is seen once first, as under load after its first seconds:
    # the blameless review of each saved section is then stored, as it is on a live site.
    for key in reads:
        client.get(f"/postmortems/{key}/")
    if args.profile:
        import cProfile
        import pstats

        path_of = dict(chosen)[args.profile]
        for n in range(WARMUP):
            cpu_ms(client, path_of(n))
        profiler = cProfile.Profile()
        for n in range(args.runs):
            planned = path_of(WARMUP + n)  # a write reads its form first, outside the profile
            profiler.enable()
            send(client, planned)
            profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(200)
        return
    print(
        f"database: {connection.vendor}; reader {user.username} (no staff rights); "
        f"{len(reads)} readable postmortems; {args.runs} requests per page after {WARMUP} warm-up"
    )
    for label, path_of in chosen:
        for n in range(WARMUP):
            cpu_ms(client, path_of(n))
        spent, counts, server = [], [], []
        for n in range(args.runs):
            ms, count, database_ms = cpu_ms(client, path_of(WARMUP + n))
            spent.append(ms)
            counts.append(count)
            server.append(database_ms)
        line = (
            f"{label:16} CPU median {statistics.median(spent):6.1f} ms   "
            f"p90 {percentile(spent, 0.9):6.1f} ms   queries {min(counts)}-{max(counts)}"
        )
        if connection.vendor == "postgresql":  # clock ticks: a mean is steadier than a median
            line += f"   PostgreSQL CPU mean {statistics.mean(server):5.1f} ms"
        print(line)


if __name__ == "__main__":
    main()
