"""The database side of benchmarks/load.py: sign-in accounts and writing targets before the
run, and reading every write back after it. Runs in its own process, with the environment
(SECONDSTORY_HOME or SECONDSTORY_DATABASE_URL) of the server under test.

    python benchmarks/loadlib/database.py prepare PLAN.json --clients 50 --password PASSWORD
    python benchmarks/loadlib/database.py verify WRITES.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from secondstory.accounts.models import Role, Team, User  # noqa: E402
from secondstory.core.taxonomy import SECTION_FIELDS  # noqa: E402
from secondstory.incidents.models import TimelineEvent  # noqa: E402
from secondstory.postmortems.models import Postmortem  # noqa: E402
from secondstory.postmortems.services import visible_postmortems  # noqa: E402

SECTIONS_PER_CLIENT = 3
READS_PER_CLIENT = 25
MARKER = re.compile(r"lb-c\d+-[se]\d+")


def _clients(count: int, password: str) -> list[User]:
    """``count`` responders (no admin or staff rights; writers, so not viewers) who sign in
    with ``password``: the demo organisation's people first, then new ones spread over its
    teams."""
    people = list(
        User.objects.filter(is_staff=False, is_active=True, role=Role.RESPONDER).order_by(
            "username"
        )
    )
    teams = list(Team.objects.order_by("slug"))
    for n in range(len(people), count):
        user, _ = User.objects.get_or_create(
            username=f"reader{n:03d}", defaults={"display_name": f"Reader {n}"}
        )
        if teams:
            teams[n % len(teams)].members.add(user)
        people.append(user)
    people = people[:count]
    hashed = make_password(password)  # one hash: the same password, hashed once
    for user in people:
        user.password = hashed
    User.objects.bulk_update(people, ["password"])
    return people


def prepare(plan_path: Path, count: int, password: str, seed: int) -> None:
    rng = random.Random(seed)
    with transaction.atomic():
        users = _clients(count, password)
        with_incident = list(
            Postmortem.objects.filter(incidents__isnull=False).distinct().order_by("key")
        )
        # The import goes onto the first one; nobody reads or writes it during the run.
        import_target, writable = with_incident[0], with_incident[1:]
        pairs = [(pm, field) for pm in writable for field in SECTION_FIELDS]
        rng.shuffle(pairs)
        plan: list[dict[str, object]] = []
        for n, user in enumerate(users):
            mine = pairs[n::count][:SECTIONS_PER_CLIENT]
            for pm, _ in mine:
                if pm.owner_id != user.pk:
                    pm.collaborators.add(user)
            visible = list(
                visible_postmortems(user).exclude(pk=import_target.pk).values_list("key", "title")
            )
            reads = rng.sample(visible, min(READS_PER_CLIENT, len(visible)))
            words = sorted({w.lower() for _, t in reads for w in re.findall(r"[A-Za-z]{5,}", t)})
            plan.append(
                {
                    "username": user.username,
                    "reads": [key for key, _ in reads],
                    "sections": [[pm.key, field] for pm, field in mine],
                    "searches": words[:40] or ["checkout"],
                }
            )
    incident = import_target.incidents.order_by("key").first()
    assert incident is not None
    document = {"clients": plan, "import_incident": incident.key, "import_key": import_target.key}
    plan_path.write_text(json.dumps(document, indent=1), encoding="utf-8")


def verify(writes_path: Path) -> None:
    """Print JSON: how many acknowledged writes are present and which are missing."""
    writes = json.loads(writes_path.read_text(encoding="utf-8"))
    found: set[str] = set()
    fields = {(w["key"], w["field"]) for w in writes if w["kind"] == "section"}
    for key in {key for key, _ in fields}:
        postmortem = Postmortem.objects.get(key=key)
        for field in {f for k, f in fields if k == key}:
            found.update(MARKER.findall(getattr(postmortem, field)))
    events = TimelineEvent.objects.filter(text__contains="load check lb-c")
    for text in events.values_list("text", flat=True).iterator():
        found.update(MARKER.findall(text))
    missing = [w for w in writes if w["marker"] not in found]
    print(json.dumps({"checked": len(writes), "missing": missing}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare")
    prep.add_argument("plan", type=Path)
    prep.add_argument("--clients", type=int, required=True)
    prep.add_argument("--password", required=True)
    prep.add_argument("--seed", type=int, default=7)
    check = commands.add_parser("verify")
    check.add_argument("writes", type=Path)
    options = parser.parse_args()
    if options.command == "prepare":
        prepare(options.plan, options.clients, options.password, options.seed)
    else:
        verify(options.writes)


if __name__ == "__main__":
    main()
