"""Mixed load on the real server: signed-in people reading, searching and writing at once.

Creates a fresh SECONDSTORY_HOME (SQLite) or a dedicated PostgreSQL database, loads the demo
organisation, gives CLIENTS non-staff people a password, starts ``secondstory serve`` on a
free loopback port and drives it for SECONDS with one asyncio + httpx client per person, each
with its own session. Every client repeats: pick a request kind at random, send it, pause a
random think time (mean --think seconds). The kinds are page reads (home, postmortem page,
action item list, library), searches, section saves (the edit form, then the save carrying
its CSRF token and ``base`` fingerprint, appending one line) and quick capture (the form,
then "Add all" with one new event). Like a browser, a client then asks for what a page
loads after itself: a postmortem's page its similar-incidents panel (and the blameless
review when the page did not wait for it), a search its facet counts. Optionally a
``secondstory import`` of a generated Slack export runs in a subprocess at the same time.

Prints requests/s, p50/p95/p99 per request kind and overall, errors by status and cause
(server tracebacks included), then stops the server and reads every acknowledged write back
from the database: each saved line and each captured event must be there.

    python benchmarks/load.py                                  # SQLite, 50 clients, 60 s
    python benchmarks/load.py --seconds 10 --clients 10        # a smoke run
    python benchmarks/load.py --postgres postgres://postgres@127.0.0.1:5432/ss_load
    python benchmarks/load.py --import-messages 200000         # with an import running
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from loadlib.report import Recorder, Sample, print_report, server_errors

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PASSWORD = "load-bench-password-7"
IMPORT_WAIT = 300  # seconds the import may go on after the load before it is stopped
# (kind, weight): reads and searches are most of the traffic, writes about a quarter.
MIX = (
    ("home", 15),
    ("postmortem", 20),
    ("actions", 10),
    ("library", 10),
    ("search", 20),
    ("section save", 15),
    ("capture", 10),
)
HTMX = {"HX-Request": "true"}  # as htmx sends its requests
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _field(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return _unescape(value.group(1)) if value else ""


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return _unescape(found.group(1)) if found else ""


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


class Client:
    """One signed-in person: their own cookies, their plan, their writes."""

    def __init__(self, number: int, plan: dict, base_url: str, recorder: Recorder) -> None:
        self.number = number
        self.plan = plan
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30, follow_redirects=False)
        self.recorder = recorder
        self.writes = 0

    async def request(self, kind: str, method: str, url: str, **kw: object) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.recorder.add(Sample(kind, 0, time.perf_counter() - started, type(exc).__name__))
            raise
        self.recorder.add(Sample(kind, response.status_code, time.perf_counter() - started))
        return response

    async def sign_in(self) -> None:
        page = await self.http.get("/login/")
        token = CSRF.search(page.text)
        data = {"username": self.plan["username"], "password": PASSWORD}
        data["csrfmiddlewaretoken"] = token.group(1) if token else ""
        done = await self.http.post("/login/", data=data)
        if done.status_code != 302:
            raise SystemExit(
                f"error: {self.plan['username']} could not sign in ({done.status_code})"
            )

    def _marker(self, kind: str) -> str:
        self.writes += 1
        return f"lb-c{self.number:03d}-{kind}{self.writes:05d}"

    async def save_section(self, rng) -> None:
        key, field = rng.choice(self.plan["sections"])
        url = f"/postmortems/{key}/sections/{field}/edit/"
        form = await self.request("section form", "GET", url)
        if form.status_code != 200:
            return
        marker = self._marker("s")
        text = _textarea(form.text, "text").rstrip() + f"\n\nload check {marker}.\n"
        data = {
            "csrfmiddlewaretoken": _field(form.text, "csrfmiddlewaretoken"),
            "base": _field(form.text, "base"),
            "text": text,
        }
        write = {"kind": "section", "key": key, "field": field, "marker": marker}
        await self._write("section save", url, data, write)

    async def capture(self, rng) -> None:
        key = rng.choice(self.plan["sections"])[0]
        url = f"/postmortems/{key}/timeline/capture/"
        form = await self.request("capture form", "GET", url)
        if form.status_code != 200:
            return
        marker = self._marker("e")
        incident = _field(form.text, "incident") or _selected(form.text, "incident")
        data = {
            "csrfmiddlewaretoken": _field(form.text, "csrfmiddlewaretoken"),
            "text": f"{rng.randrange(24):02d}:{rng.randrange(60):02d} load check {marker}",
            "default_date": _field(form.text, "default_date"),
            "default_zone": _field(form.text, "default_zone") or "UTC",
            "incident": incident,
            "action": "add",
        }
        write = {"kind": "event", "key": key, "marker": marker}
        await self._write("capture add", url, data, write)

    async def _write(self, kind: str, url: str, data: dict, write: dict) -> None:
        try:
            response = await self.request(kind, "POST", url, data=data)
        except httpx.HTTPError:
            self.recorder.unknown.append(write)  # sent, no answer: it may or may not be saved
            return
        if response.status_code in (302, 303):
            self.recorder.writes.append(write)
        elif response.status_code == 409:
            self.recorder.causes[(kind, 409)] = "edit conflict"

    async def one(self, kind: str, rng) -> None:
        if kind == "section save":
            await self.save_section(rng)
        elif kind == "capture":
            await self.capture(rng)
        elif kind == "home":
            await self.request(kind, "GET", "/")
        elif kind == "postmortem":
            key = rng.choice(self.plan["reads"])
            page = await self.request(kind, "GET", f"/postmortems/{key}/")
            await self.after_page(page, key)
        elif kind == "actions":
            await self.request(kind, "GET", "/actions/")
        elif kind == "library":
            await self.request(kind, "GET", "/library/search/")
        else:
            query = rng.choice(self.plan["searches"])
            page = await self.request(kind, "GET", "/library/search/", params={"q": query})
            if page.status_code == 200 and "/library/search/facets/" in page.text:
                # The browser asks for the facet counts once the results are shown.
                await self.request(
                    "search facets", "GET", "/library/search/facets/", params={"q": query},
                    headers=HTMX,
                )  # fmt: skip

    async def after_page(self, page: httpx.Response, key: str) -> None:
        """What a browser asks for once a postmortem's page has loaded: the similar-incidents
        panel, and the blameless review when the page did not wait for it."""
        if page.status_code != 200:
            return
        if f"/library/similar/{key}/" in page.text:
            await self.request("similar panel", "GET", f"/library/similar/{key}/", headers=HTMX)
        if "review-pending" in page.text:
            url = f"/postmortems/{key}/blameless/"
            await self.request("blameless review", "GET", url, headers=HTMX)


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    option = re.search(r'<option value="([^"]*)"', select.group(1)) if select else None
    return _unescape(option.group(1)) if option else ""


def cpu_seconds(group: int) -> float:
    """CPU time used so far by the processes of a process group (Linux; 0 elsewhere)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; then utime and stime at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def drive(
    plan: dict,
    base_url: str,
    seconds: float,
    think: float,
    seed: int,
    server: int,
    on_start: Callable[[], None],
) -> Recorder:
    import random

    recorder = Recorder()
    clients = [Client(n, spec, base_url, recorder) for n, spec in enumerate(plan["clients"])]
    signing_in = asyncio.Semaphore(4)  # password hashing is slow on purpose: not measured

    async def sign_in(client: Client) -> None:
        async with signing_in:
            await client.sign_in()

    await asyncio.gather(*(sign_in(c) for c in clients))
    kinds, weights = zip(*MIX, strict=True)
    on_start()  # everyone is signed in: the import, if any, starts with the measured window
    recorder.start()
    recorder.cpu_before = cpu_seconds(server)
    generator_before = time.process_time()
    deadline = time.monotonic() + seconds

    async def loop(client: Client) -> None:
        rng = random.Random(seed * 1000 + client.number)
        await asyncio.sleep(rng.uniform(0, think * 2))  # do not all start at once
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):  # recorded; go on
                await client.one(rng.choices(kinds, weights)[0], rng)
            await asyncio.sleep(rng.uniform(0, think * 2))

    await asyncio.gather(*(loop(c) for c in clients))
    recorder.stop()
    recorder.cpu = cpu_seconds(server) - recorder.cpu_before
    recorder.generator_cpu = time.process_time() - generator_before
    await asyncio.gather(*(c.http.aclose() for c in clients))
    return recorder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(cmd: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, env=env, text=True, capture_output=True, **kw)  # type: ignore[call-overload]
    if done.returncode:
        raise SystemExit(f"error: {' '.join(cmd[:3])} failed:\n{done.stderr[-2000:]}")
    return done


def postgres_database(url: str, action: str) -> None:
    """Create or drop the dedicated database named in ``url`` (never `test` or `postgres`)."""
    import psycopg

    server, name = url.rsplit("/", 1)
    if name in ("", "test", "postgres", "template0", "template1"):
        raise SystemExit(f"error: --postgres: use a dedicated database name, not {name!r}")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if action == "create":
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if exists.fetchone():
                raise SystemExit(f"error: database {name} exists; drop it or name another")
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_until_up(base_url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("error: the server stopped while starting; see its log")
        try:
            if httpx.get(f"{base_url}/login/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("error: the server did not answer within 120 s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.5, help="Mean pause between requests.")
    parser.add_argument("--postgres", metavar="URL", help="postgres://…/NAME to create and drop.")
    parser.add_argument("--workers", type=int, help="Passed to `secondstory serve --workers`.")
    parser.add_argument("--threads", type=int, help="Passed to `secondstory serve --threads`.")
    parser.add_argument("--import-messages", type=int, default=0, help="Import N Slack messages.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the data and the database.")
    return parser.parse_args()


def prepare(options: argparse.Namespace, env: dict[str, str], workdir: Path) -> dict:
    """The demo organisation, the people who sign in, and who writes where."""
    started = time.perf_counter()
    run([str(BIN / "secondstory"), "demo", "--no-login"], env)
    plan_path = workdir / "plan.json"
    prepare = [sys.executable, str(HERE / "loadlib" / "database.py"), "prepare", str(plan_path)]
    run([*prepare, "--clients", str(options.clients), "--password", PASSWORD], env)
    took = time.perf_counter() - started
    print(f"demo organisation and {options.clients} people ready in {took:.0f} s")
    return json.loads(plan_path.read_text())


def start_server(options: argparse.Namespace, env: dict[str, str], log: Path) -> tuple:
    port = free_port()
    serve = [str(BIN / "secondstory"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if options.workers:
        serve += ["--workers", str(options.workers)]
    if options.threads:
        serve += ["--threads", str(options.threads)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            serve, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    wait_until_up(base_url, server)
    return server, base_url


def start_import(export: Path, incident: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [str(BIN / "secondstory"), "import", str(export), "--incident", incident]
    with log.open("wb") as err:
        return subprocess.Popen(
            command, env=env, stdout=err, stderr=subprocess.STDOUT, start_new_session=True
        )


def verify(recorder: Recorder, env: dict[str, str], workdir: Path) -> None:
    """Read every acknowledged write back from the database."""
    writes_path = workdir / "writes.json"
    writes_path.write_text(json.dumps(recorder.writes))
    done = run(
        [sys.executable, str(HERE / "loadlib" / "database.py"), "verify", str(writes_path)], env
    )
    checked = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"writes read back: {checked['checked']} acknowledged, {len(checked['missing'])} lost"
        f"; {len(recorder.unknown)} sent without an answer (not counted)"
    )
    for write in checked["missing"][:10]:
        print(f"  lost: {write}")


def measure(options: argparse.Namespace, env: dict[str, str], workdir: Path) -> None:
    plan = prepare(options, env, workdir)
    export = None
    if options.import_messages:
        sys.path.insert(0, str(HERE))
        from slack_export import generate

        export = workdir / "export"
        generate(export, options.import_messages, channels=20, zip=False)
    server, base_url = start_server(options, env, workdir / "server.log")
    importing: dict[str, Any] = {}

    def start() -> None:
        if export is not None:
            log = workdir / "import.log"
            importing["process"] = start_import(export, plan["import_incident"], env, log)
            importing["at"] = time.perf_counter()

    try:
        recorder = asyncio.run(
            drive(plan, base_url, options.seconds, options.think, options.seed, server.pid, start)
        )
        load = os.getloadavg()
        stop(server)
        log = (workdir / "server.log").read_text(errors="replace")
        print_report(recorder, server_errors(log))
        print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", end=" ")
        print(f"({os.cpu_count()} cores, shared with whatever else runs)")
        if "process" in importing:
            report_import(
                importing["process"], importing["at"], plan["import_incident"], options, workdir
            )
        verify(recorder, env, workdir)
    finally:
        stop(server)
        stop(importing.get("process"))


def report_import(
    importer: subprocess.Popen[bytes],
    started: float,
    incident: str,
    options: argparse.Namespace,
    workdir: Path,
) -> None:
    """Wait for the import (bounded) and print how it ended."""
    try:
        code: object = importer.wait(timeout=IMPORT_WAIT)
    except subprocess.TimeoutExpired:
        stop(importer)
        code = f"none: stopped, still running {IMPORT_WAIT} s after the load ended"
    took = time.perf_counter() - started
    lines = (workdir / "import.log").read_text(errors="replace").strip().splitlines()
    summary = [line for line in lines if line.startswith(f"{incident}:")] or lines[-1:]
    print(f"import of {options.import_messages:,} messages: exit {code} after {took:.0f} s")
    print(f"  {summary[0] if summary else '(no output)'}")


def main() -> None:
    opts = options()
    workdir = Path(tempfile.mkdtemp(prefix="secondstory-load-"))
    (workdir / "home").mkdir()
    env = {**os.environ, "SECONDSTORY_HOME": str(workdir / "home")}
    env["SECONDSTORY_LOG_LEVEL"] = "WARNING"  # server errors with their tracebacks
    env.pop("SECONDSTORY_DATABASE_URL", None)
    if opts.postgres:
        postgres_database(opts.postgres, "create")
        env["SECONDSTORY_DATABASE_URL"] = opts.postgres
    engine = "PostgreSQL" if opts.postgres else "SQLite"
    print(f"{engine}, {opts.clients} clients, {opts.seconds:g} s, think {opts.think:g} s", end="")
    print(f", import of {opts.import_messages:,} messages" if opts.import_messages else "")
    try:
        measure(opts, env, workdir)
    finally:
        if opts.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if opts.postgres:
                postgres_database(opts.postgres, "drop")


if __name__ == "__main__":
    main()
