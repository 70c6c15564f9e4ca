"""What checking a personal API token costs a request: `authenticate_token` per call.

Migrates a fresh data directory (SQLite; the database of SECONDSTORY_DATABASE_URL when set,
which should be one of its own), creates one person with --tokens tokens, then times
--calls calls of `authenticate_token` with random live tokens, twice:

- "writes": every call is a token's first use in a minute, so it also records "last used";
- "reads": the same tokens again within the minute: the lookup alone.

    python benchmarks/api_tokens.py --tokens 10000 --calls 2000

Measured with 10,000 tokens and 2,000 calls on 2 shared cores under a load average of 15 (so
the tails are the machine's, not the lookup's):

    sqlite      writes  median   654 µs   reads  median   480 µs
    postgresql  writes  median 12014 µs   reads  median  4022 µs

Recording "last used" costs a commit, which is why it is written at most once a minute per
token.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=2_000)
    args = parser.parse_args()
    os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from secondstory.accounts.models import User
    from secondstory.accounts.tokens import authenticate_token, create_token

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-token-owner")
    raws = [
        create_token(user, name=f"t{i}", scopes=["read"], expires_at=None).raw
        for i in range(args.tokens)
    ]
    sample = random.Random(7).sample(raws, min(args.calls, len(raws)))
    print(f"{connection.vendor}: {len(raws):,} tokens, {len(sample):,} calls each")
    for label in ("writes", "reads"):
        durations = []
        for raw in sample:
            start = time.perf_counter()
            token = authenticate_token(raw)
            durations.append(time.perf_counter() - start)
            if token is None:
                sys.exit(f"error: a live token did not authenticate ({label})")
        durations.sort()
        median = statistics.median(durations) * 1e6
        p99 = durations[int(len(durations) * 0.99) - 1] * 1e6
        print(f"  {label:6}  median {median:7.0f} µs   p99 {p99:7.0f} µs")
    User.objects.filter(pk=user.pk).delete()


if __name__ == "__main__":
    main()
