"""A postmortem with N imported events: server render time, HTML bytes, and in Chromium the
DOM nodes and time to interactive of its first load. Run by benchmarks/page_speed.py, one
fresh data directory per size; on its own:

    SECONDSTORY_HOME=$(mktemp -d) python benchmarks/long_timeline_browser.py 2000

Server: median wall-clock and CPU time of 7 in-process requests (Django's test client) of
the postmortem's page, as its owner (every editing control) and as a reader, and of its PDF.

Browser: headless /usr/bin/chromium driven through the DevTools protocol (playwright)
against a local server in this process, signed in as the owner; median of 5 first loads,
each in a fresh tab:

- "DOM nodes": the DevTools ``Nodes`` count after a garbage collection (it includes the
  browser's own nodes inside form controls);
- "in the document": every node a TreeWalker reaches (elements and text);
- "elements": the elements alone (what Lighthouse calls DOM size);
- "interactive": the navigation's ``domContentLoadedEventEnd`` (deferred scripts, htmx
  included, have run); "load": its ``loadEventEnd``.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # playwright's sync API runs a loop

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from secondstory.accounts.models import User  # noqa: E402
from secondstory.incidents.models import Incident  # noqa: E402
from secondstory.postmortems.records import load_record  # noqa: E402
from tests.apps.factories import postmortem_record  # noqa: E402
from tests.apps.long_timeline import add_long_timeline  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_RUNS = 7
BROWSER_RUNS = 5


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def build(size: int) -> str:
    call_command("migrate", verbosity=0)
    record = postmortem_record("PM-LONG")
    load_record(record)
    add_long_timeline(Incident.objects.get(key="INC-PM-LONG"), size)
    return record.key


def server_figures(user: User, path: str) -> tuple[float, float, int]:
    """Median wall-clock and CPU milliseconds of a request, and its bytes. On a busy machine
    the CPU time is the steadier figure: it leaves out the time spent waiting for a core."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    timings, cpu, size = [], [], 0
    for _ in range(SERVER_RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
    return statistics.median(timings), statistics.median(cpu), size


def browser_figures(owner: User, path: str) -> tuple[int, int, int, float, float]:
    from playwright.sync_api import sync_playwright

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    nodes, in_document, elements, interactive, loaded = [], [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        for _ in range(BROWSER_RUNS):
            # A fresh tab each time: the node count is that of one first load.
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(base + path, wait_until="load")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domContentLoadedEventEnd, n.loadEventEnd]; }"
            )
            cdp.send("HeapProfiler.collectGarbage")
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            nodes.append(int(metrics["Nodes"]))
            elements.append(page.evaluate("() => document.getElementsByTagName('*').length"))
            in_document.append(
                page.evaluate(
                    "() => { let n = 0; const w = document.createTreeWalker(document,"
                    " NodeFilter.SHOW_ALL); while (w.nextNode()) n++; return n; }"
                )
            )
            interactive.append(timing[0])
            loaded.append(timing[1])
            page.close()
        browser.close()
    server.shutdown()
    return (
        int(statistics.median(nodes)),
        int(statistics.median(in_document)),
        int(statistics.median(elements)),
        statistics.median(interactive),
        statistics.median(loaded),
    )


def main() -> None:
    size = int(sys.argv[1])
    key = build(size)
    owner = User.objects.get(username="alice")
    reader = User.objects.create_user("reader", password="x")
    path = reverse("postmortems:detail", args=[key])
    owner_ms, owner_cpu, owner_bytes = server_figures(owner, path)
    reader_ms, reader_cpu, reader_bytes = server_figures(reader, path)
    engine = django.db.connection.vendor
    print(
        f"{size:>7,} events ({engine}) | server: owner {owner_ms:6.1f} ms (CPU {owner_cpu:6.1f})"
        f" {owner_bytes / 1e3:4.0f} kB, reader {reader_ms:6.1f} ms (CPU {reader_cpu:6.1f})"
        f" {reader_bytes / 1e3:4.0f} kB",
        flush=True,
    )
    pdf = reverse("postmortems:document_pdf", args=[key])
    pdf_ms, pdf_cpu, pdf_bytes = server_figures(owner, pdf)
    print(
        f"{'':>7}          | shared PDF: {pdf_ms:6.0f} ms (CPU {pdf_cpu:6.0f})"
        f" {pdf_bytes / 1e3:4.0f} kB"
        f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    if not Path(CHROMIUM).exists():
        print("        Chromium not found at /usr/bin/chromium: browser figures skipped")
        return
    nodes, in_document, elements, interactive, loaded = browser_figures(owner, path)
    print(
        f"{'':>7}          | Chromium, owner: {nodes:,} DOM nodes, {in_document:,} in the"
        f" document, {elements:,} elements"
        f", interactive {interactive:6.0f} ms, load {loaded:6.0f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
