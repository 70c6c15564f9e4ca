"""A realistic, invented Slack workspace export of any size, for the importer's speed tests.

The export has ``users.json`` (about 200 people and a few bots), ``channels.json`` and one
folder per channel with a file per day over three weeks. Messages carry mentions, channel
links, URLs with labels, entities, thread replies, edits, bot posts with attachments, file
shares, joins and topic changes, deleted messages, messages out of order within a day, and, in
about one message in a thousand, a made-up credential pasted by mistake (so the redaction of
secrets has something to find). Day files follow the exporter's local day (UTC-5), not UTC.

    python benchmarks/slack_export.py OUT --messages 1000000 [--channels 30] [--zip]
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # midnight of the exporter's day (UTC-5)
DAYS = 21
USERS = 200
BOTS = ("deploy-bot", "alert-relay", "standup-helper", "ticket-sync")

FIRST = (
    "Amara", "Bastian", "Chiara", "Dmitri", "Elif", "Farah", "Gideon", "Hana", "Ilias", "Jun",
    "Kalani", "Lorenzo", "Maren", "Nikhil", "Oona", "Pavel", "Quinn", "Rosa", "Soren", "Tamsin",
    "Umar", "Vesna", "Wren", "Ximena", "Yusuf", "Zofia",
)  # fmt: skip
LAST = (
    "Achterberg", "Brightwater", "Castellan", "Dunmore", "Everly", "Falkner", "Greystone",
    "Hollis", "Ivers", "Juniper", "Kestrel", "Larkspur", "Merriweather", "Northcott",
    "Okonkwo", "Pemberton", "Quillfeather", "Ravensworth", "Stonebridge", "Thornbury",
)  # fmt: skip
CHANNEL_WORDS = (
    "inc", "ops", "payments", "checkout", "search", "platform", "db", "edge", "mobile", "infra",
    "oncall", "deploys", "alerts", "billing", "ledger", "catalog", "auth", "queue", "sre", "web",
)  # fmt: skip
PHRASES = (
    "checkout latency is climbing again in eu-west",
    "rolling back the ledger-writer deploy now",
    "error rate on the cart API is back under 1%",
    "I see the replica lag going up on db-orders-3",
    "paging the storage on-call",
    "who owns the feature flag for the new pricing page?",
    "dashboards look calm, keeping an eye on it",
    "the queue depth for invoice-render is at 48k",
    "can someone check whether the CDN purge finished?",
    "restarting the search indexer pods one by one",
    "customer support reports failed card payments in Lisbon",
    "status page updated: investigating",
    "that graph is per minute, not per second",
    "the canary looks fine, promoting to 25%",
    "disk on ingest-7 is at 93%",
    "let's move the discussion to a call",
    "I'll write up what we know so far",
    "the cert for api.northwind.example expires Friday",
    "latency p99 is 2.4s, target is 800ms",
    "confirmed: the config change went out at 14:02",
)  # fmt: skip
TOPICS = ("Incident bridge: one thread per workstream", "Deploy freeze until Monday")
HOSTS = ("grafana.northwind.example", "runbooks.northwind.example", "ci.northwind.example")


def _token(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choices(alphabet, k=size))


def _secret(rng: random.Random) -> str:
    """An invented credential pasted into chat, in the shapes leak scanners look for."""
    alnum = string.ascii_letters + string.digits
    upper = string.ascii_uppercase + string.digits
    choice = rng.randrange(4)
    if choice == 0:
        key = "AKIA" + _token(rng, upper, 16)
        secret = _token(rng, alnum + "/+", 40)
        return (
            "pasting the worker env so you can compare:\n```\nAWS_ACCESS_KEY_ID="
            f"{key}\nAWS_SECRET_ACCESS_KEY={secret}\nREGION=eu-west-1\n```"
        )
    if choice == 1:
        return f"try with this one: xoxb-{_token(rng, string.digits, 12)}-" + _token(rng, alnum, 24)
    if choice == 2:
        return (
            "the job still uses DATABASE_URL=postgres://ledger:"
            f"{_token(rng, alnum, 20)}@db-ledger-1.internal:5432/ledger"
        )
    return f"token for the runner is ghp_{_token(rng, alnum, 36)} (rotating it after)"


def _users(rng: random.Random) -> list[dict[str, object]]:
    users: list[dict[str, object]] = []
    for number in range(USERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = f"{first.lower()}.{last.lower()}{number}"
        users.append(
            {
                "id": f"U{number:08d}",
                "team_id": "T0NORTHWND",
                "name": handle,
                "deleted": number % 37 == 0,
                "real_name": f"{first} {last}",
                "tz": "America/Chicago",
                "profile": {
                    "title": rng.choice(("SRE", "Engineer", "Support", "Manager", "")),
                    "real_name": f"{first} {last}",
                    "real_name_normalized": f"{first} {last}",
                    "display_name": first if number % 3 else "",
                    "display_name_normalized": first if number % 3 else "",
                    "team": "T0NORTHWND",
                },
                "is_admin": number < 3,
                "is_bot": False,
                "is_app_user": False,
                "updated": 1772000000 + number,
            }
        )
    for number, name in enumerate(BOTS):
        users.append(
            {
                "id": f"UB{number:07d}",
                "team_id": "T0NORTHWND",
                "name": name,
                "deleted": False,
                "real_name": name,
                "profile": {"real_name": name, "display_name": "", "bot_id": f"B{number:08d}"},
                "is_bot": True,
                "updated": 1772000000,
            }
        )
    return users


def _channels(rng: random.Random, count: int) -> list[dict[str, object]]:
    channels = []
    for number in range(count):
        word = CHANNEL_WORDS[number % len(CHANNEL_WORDS)]
        name = f"{word}-{number}" if number >= len(CHANNEL_WORDS) else word
        members = sorted({f"U{rng.randrange(USERS):08d}" for _ in range(25)})
        channels.append(
            {
                "id": f"C{number:08d}",
                "name": name,
                "created": 1771000000 + number * 60,
                "creator": members[0],
                "is_archived": False,
                "is_general": number == 0,
                "members": members,
                "topic": {"value": rng.choice(TOPICS), "creator": members[0], "last_set": 0},
                "purpose": {"value": f"Work on {word}", "creator": members[0], "last_set": 0},
            }
        )
    return channels


class _Writer:
    def __init__(self, out: Path, archive: zipfile.ZipFile | None) -> None:
        self.out = out
        self.archive = archive

    def write(self, member: str, value: object) -> None:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if self.archive is not None:
            self.archive.writestr(member, data)
            return
        path = self.out / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data, encoding="utf-8")


def generate(
    path: Path, messages: int, channels: int = 30, seed: int = 1, zip: bool = False
) -> Path:
    """Write an export of ``messages`` messages into the folder (or zip file) ``path``."""
    rng = random.Random(seed)
    users = _users(rng)
    people = [str(u["id"]) for u in users[:USERS]]
    names = {str(u["id"]): str(u["real_name"]) for u in users}
    listing = _channels(rng, max(1, channels))
    archive = None
    if zip:
        path.parent.mkdir(parents=True, exist_ok=True)
        archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    else:
        path.mkdir(parents=True, exist_ok=True)
    writer = _Writer(path, archive)
    try:
        writer.write("users.json", users)
        writer.write("channels.json", listing)
        files = len(listing) * DAYS
        per_file, extra = divmod(messages, files)
        number = 0
        for day in range(DAYS):
            day_start = START + timedelta(days=day)
            stamp = day_start.strftime("%Y-%m-%d")
            for channel in listing:
                count = per_file + (1 if number < extra else 0)
                number += 1
                if count == 0:
                    continue
                batch = _day(rng, count, day_start, people, names, listing)
                writer.write(f"{channel['name']}/{stamp}.json", batch)
    finally:
        if archive is not None:
            archive.close()
    return path


def _day(
    rng: random.Random,
    count: int,
    day_start: datetime,
    people: list[str],
    names: dict[str, str],
    listing: list[dict[str, object]],
) -> list[dict[str, object]]:
    base = int(day_start.timestamp())
    step = 86_000 / count
    batch: list[dict[str, object]] = []
    rand = rng.random
    pick = rng.choice
    parents: list[tuple[str, str]] = []
    for index in range(count):
        seconds = base + int(index * step)
        ts = f"{seconds}.{rng.randrange(1_000_000):06d}"
        user = pick(people)
        roll = rand()
        text = pick(PHRASES)
        message: dict[str, object] = {"type": "message", "user": user, "text": text, "ts": ts}
        if roll < 0.12:
            other = pick(people)
            message["text"] = f"<@{other}> {text}"
        elif roll < 0.16:
            host = pick(HOSTS)
            message["text"] = f"{text}, see <https://{host}/d/{index}|the panel> &amp; notes"
        elif roll < 0.18:
            message["text"] = f"<!here> {text} in <#{pick(listing)['id']}>"
        elif roll < 0.23:
            bot = rng.randrange(len(BOTS))
            message = {
                "type": "message",
                "subtype": "bot_message",
                "text": "",
                "ts": ts,
                "username": BOTS[bot],
                "bot_id": f"B{bot:08d}",
                "attachments": [
                    {
                        "fallback": f"[FIRING:1] HighErrorRate checkout ({index})",
                        "color": "danger",
                        "title": "HighErrorRate",
                        "text": "5xx ratio above 2% for 5 minutes",
                        "fields": [{"title": "severity", "value": "page", "short": True}],
                    }
                ],
            }
        elif roll < 0.25:
            message["subtype"] = "file_share"
            message["files"] = [
                {
                    "id": f"F{index:08d}",
                    "name": f"heap-{index}.png",
                    "title": "heap usage before the restart",
                    "mimetype": "image/png",
                }
            ]
        elif roll < 0.26:
            message["subtype"] = "channel_join"
            message["text"] = f"<@{user}> has joined the channel"
        elif roll < 0.262:
            message["subtype"] = "channel_topic"
            message["topic"] = pick(TOPICS)
            message["text"] = f"<@{user}> set the channel topic: {message['topic']}"
        elif roll < 0.267:
            message = {
                "type": "message",
                "subtype": "tombstone",
                "user": "USLACKBOT",
                "text": "(removed)",
                "ts": ts,
                "hidden": True,
            }
        elif roll < 0.268:
            message["text"] = _secret(rng)
        if roll > 0.95:
            message["edited"] = {"user": user, "ts": f"{seconds + 40}.000000"}
        if parents and roll > 0.78:
            parent_ts, parent_user = pick(parents)
            message["thread_ts"] = parent_ts
            message["parent_user_id"] = parent_user
        elif roll > 0.7 and "subtype" not in message:
            parents.append((ts, user))
            message["thread_ts"] = ts
            message["reply_count"] = 2
        if roll < 0.3 and "subtype" not in message:
            message["user_profile"] = {"real_name": names[user], "name": user.lower()}
        batch.append(message)
    for _ in range(max(1, count // 200)):  # a few messages out of order within the day
        first, second = rng.randrange(count), rng.randrange(count)
        batch[first], batch[second] = batch[second], batch[first]
    return batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder to write (or .zip file with --zip)")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--zip", action="store_true", help="write a zip file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.messages, args.channels, args.seed, args.zip)
    took = time.perf_counter() - started
    print(f"wrote {args.messages} messages to {args.out} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
