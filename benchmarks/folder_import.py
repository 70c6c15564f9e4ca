"""A folder of mixed exports: files per second of walking and detecting it, events per second
of parsing every file, and the peak memory.

python benchmarks/folder_import.py [--files 2000] [--messages 200]

The folder holds Slack Web API pages (with a users.list file beside them), Mattermost posts
responses (with users, channel and team files), Teams user data exports, PagerDuty V2
deliveries and Limnoria logs with UTC offsets, ``--messages`` messages a file.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from secondstory.core.timeline import sources
from secondstory.core.timeline.sources.base import ParseOptions, Source
from secondstory.core.timeline.sources.folders import expand

START = 1714658591  # 2024-05-02T14:03:11Z


def slack_page(folder: Path, number: int, messages: int) -> None:
    page = {
        "ok": True,
        "messages": [
            {"type": "message", "user": f"U{i % 7:08d}", "text": f"message {i} <@U00000001|ana>",
             "ts": f"{START + number * messages + i}.{i:06d}"}
            for i in reversed(range(messages))
        ],
        "has_more": False,
    }  # fmt: skip
    (folder / f"C{number:09d}.json").write_text(json.dumps(page))


def mattermost_posts(folder: Path, number: int, messages: int) -> None:
    posts = {
        f"p{number}x{i}": {"id": f"p{number}x{i}", "create_at": (START + i) * 1000 + number,
                           "user_id": f"u{i % 5}", "channel_id": "chan", "root_id": "",
                           "message": f"post {i}", "delete_at": 0, "edit_at": 0, "props": {}}
        for i in range(messages)
    }  # fmt: skip
    response = {"order": list(reversed(posts)), "posts": posts}
    (folder / f"posts-{number}.json").write_text(json.dumps(response))


def teams_export(folder: Path, number: int, messages: int) -> None:
    rows = [
        {"Id": f"{number}{i:06d}" if i % 10 else None, "MessageType": "message",
         "CreatedDateTime": f"2024-05-02T14:{i % 60:02d}:{number % 60:02d}.5Z",
         "From": {"User": {"DisplayName": f"Person {i % 9}"}},
         "Body": {"ContentType": "html", "Content": f"<p>teams message {i}</p>"},
         "ChannelIdentity": {"ChannelId": "19:abc@thread.tacv2", "TeamId": "t"}}
        for i in range(messages)
    ]  # fmt: skip
    (folder / f"messages_{number}.json").write_text(json.dumps(rows))


def pagerduty_v2(folder: Path, number: int, messages: int) -> None:
    deliveries = [
        {"messages": [{"id": f"m{number}-{i}", "event": "incident.acknowledge",
                       "created_on": f"2024-05-02T14:{i % 60:02d}:00Z",
                       "incident": {"incident_number": i, "title": f"alert {i % 20}"}}]}
        for i in range(messages)
    ]  # fmt: skip
    (folder / f"pagerduty-{number}.jsonl").write_text("\n".join(map(json.dumps, deliveries)))


def limnoria_log(folder: Path, number: int, messages: int) -> None:
    lines = [
        f"2024-05-02T{(i // 60) % 24:02d}:{i % 60:02d}:{number % 60:02d}+0100  "
        f"<nick{i % 6}> line {i}"
        for i in range(messages)
    ]
    (folder / f"#ops-{number}.2024-05-02.log").write_text("\n".join(lines) + "\n")


WRITERS = (slack_page, mattermost_posts, teams_export, pagerduty_v2, limnoria_log)


def generate(folder: Path, files: int, messages: int) -> None:
    for kind, writer in enumerate(WRITERS):
        (folder / writer.__name__).mkdir()
        for number in range(kind, files, len(WRITERS)):
            writer(folder / writer.__name__, number, messages)
    members = [{"id": f"U{i:08d}", "name": f"user{i}", "real_name": f"User {i}"} for i in range(7)]
    (folder / "slack_page" / "users.json").write_text(json.dumps({"ok": True, "members": members}))
    users = [{"id": f"u{i}", "username": f"user{i}", "first_name": f"User {i}"} for i in range(5)]
    (folder / "mattermost_posts" / "users.json").write_text(json.dumps(users))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folder-bench-") as name:
        folder = Path(name)
        generate(folder, args.files, args.messages)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        found = expand([Source(folder, "bench")])
        walked = time.perf_counter() - started
        formats = [sources.detect(source) for source in found.sources]
        detected = time.perf_counter() - started - walked
        count = 0
        for source, fmt in zip(found.sources, formats, strict=True):
            count += sum(1 for _ in sources.parse(source, ParseOptions(), fmt))
        took = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    files = len(found.sources)
    print(f"{files} files read, {len(found.skipped)} skipped as companions")
    print(f"walk {walked:.2f} s ({files / walked:,.0f} files/s), detect {detected:.2f} s")
    print(f"{count} events in {took:.2f} s in all: {count / took:,.0f} events/s")
    print(f"peak RSS {peak / 1024:.0f} MiB (after generating: {before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
