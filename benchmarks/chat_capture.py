"""What a live capture costs: a signed Slack ``/postmortem note`` and a :pushpin: reaction,
from the request to the answer, against a fake Slack Web API on 127.0.0.1.

Migrates a fresh data directory (SQLite; the database of SECONDSTORY_DATABASE_URL when set,
which should be one of its own), links a channel to an incident covered by a postmortem, then
sends --notes signed note commands and --pins signed reaction events through Django's test
client (the whole middleware stack, no network for the request itself; the pin's Web API
calls go over HTTP to the fake). Slack wants an answer within 3 seconds.

    python benchmarks/chat_capture.py --notes 100 --pins 100

Measured with 100 of each on 2 shared cores under a load average of 15 to 19 (the postmortem's
revision, written with every capture, is most of a note's time; a pin adds three Web API calls):

    sqlite      notes  median 233 ms  p95 440 ms  max  515 ms
                pins   median 271 ms  p95 452 ms  max  914 ms
    postgresql  notes  median 460 ms  p95 713 ms  max 1100 ms
                pins   median 570 ms  p95 905 ms  max 1625 ms
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _figures(label: str, durations: list[float]) -> str:
    ms = sorted(d * 1000 for d in durations)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return (
        f"{label:<6} {len(ms):>5} requests  median {statistics.median(ms):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--pins", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from secondstory.accounts.models import Team, User
    from secondstory.chat.models import SLACK, ChatWorkspace
    from secondstory.incidents.models import TimelineEvent
    from secondstory.postmortems.records import load_record
    from tests.apps.factories import postmortem_record
    from tests.fake_slack import (
        BOT_TOKEN,
        SIGNING_SECRET,
        command_body,
        reaction_body,
        running_fake_slack,
        signed_headers,
    )

    call_command("migrate", verbosity=0)
    people = [
        User.objects.get_or_create(username=n, defaults={"email": f"{n}@example.com"})[0]
        for n in ("alice", "bob")
    ]
    Team.objects.get_or_create(slug="payments", defaults={"name": "Payments"})[0].members.set(
        people
    )
    load_record(postmortem_record("PM-BENCH"))
    # A run on a database an earlier run used starts over.
    ChatWorkspace.objects.filter(platform=SLACK, team_id="T0TEAM").delete()
    TimelineEvent.objects.filter(incident__key="INC-PM-BENCH", source="slack").delete()
    client = Client(HTTP_HOST="127.0.0.1")
    form = "application/x-www-form-urlencoded"
    with running_fake_slack() as fake:
        fake.users = {"U0ALICE": {"id": "U0ALICE", "name": "alice",
                                  "profile": {"email": "alice@example.com"}}}  # fmt: skip
        base = 1_765_000_000
        fake.messages["C0INCIDENT"] = [
            {"type": "message", "user": "U0ALICE", "ts": f"{base + i}.000100", "text": f"m{i}"}
            for i in range(args.pins)
        ]
        workspace = ChatWorkspace(platform=SLACK, team_id="T0TEAM", name="Bench",
                                  api_base_url=fake.url)  # fmt: skip
        workspace.signing_secret, workspace.bot_token = SIGNING_SECRET, BOT_TOKEN
        workspace.save()
        body = command_body("start INC-PM-BENCH")
        client.post("/integrations/slack/commands", body, content_type=form,
                    headers=signed_headers(body))  # fmt: skip
        notes, pins = [], []
        for i in range(args.notes):
            body = command_body(f"note observation {i}")
            start = time.perf_counter()
            answer = client.post("/integrations/slack/commands", body, content_type=form,
                                 headers=signed_headers(body))  # fmt: skip
            notes.append(time.perf_counter() - start)
            assert "Added" in answer.json()["text"], answer.content
        for i in range(args.pins):
            body = reaction_body("C0INCIDENT", f"{base + i}.000100", event_id=f"Ev{i}")
            start = time.perf_counter()
            answer = client.post("/integrations/slack/events", body,
                                 content_type="application/json",
                                 headers=signed_headers(body))  # fmt: skip
            pins.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.content
    added = TimelineEvent.objects.filter(source="slack").count()
    print(f"{connection.vendor}: {added:,} events captured")
    print(_figures("notes", notes))
    print(_figures("pins", pins))


if __name__ == "__main__":
    main()
