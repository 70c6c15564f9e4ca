"""The company's postmortem history: the base demo and the benchmark stream.

The base demo is planned as a whole, so that it always shows everything the
product can display: every severity, status and theme, a few recent
blame-laden drafts, postmortems linked to two incidents, not-required ones.
The stream plans one record at a time from the same distributions, so it
needs constant memory however many records are asked for.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from secondstory.core.demo.generate import (
    BASE_DAYS,
    MIN_AGE,
    SEVERITIES,
    STREAM_DAYS,
    Plan,
    build_record,
    theme_at,
)
from secondstory.core.demo.lifecycle import pick_status
from secondstory.core.demo.themes import WEIGHTED_THEMES
from secondstory.core.record import PostmortemRecord

BASE_COUNT = sum(count for _, count in WEIGHTED_THEMES)  # 65
RECENT = 8  # the newest records, which get a fixed mix of early statuses
SEVERITY_QUOTA = {"SEV1": 4, "SEV2": 14, "SEV3": 28, "SEV4": 19}


def _base_plans(seed: int) -> list[Plan]:
    rng = random.Random(f"{seed}:base-plan")
    themes = [theme for theme, count in WEIGHTED_THEMES for _ in range(count)]
    rng.shuffle(themes)
    n = len(themes)
    # Severities by quota, correlated with each theme's usual severity.
    order = sorted(range(n), key=lambda i: themes[i].severity_bias + rng.gauss(0, 0.5))
    quota = [sev for sev in SEVERITIES for _ in range(SEVERITY_QUOTA[sev])]
    severity = [""] * n
    for position, index in enumerate(order):
        severity[index] = quota[position]
    older = sorted((rng.uniform(30, BASE_DAYS) for _ in range(n - RECENT)), reverse=True)
    recent = sorted((rng.uniform(MIN_AGE, 26) for _ in range(RECENT)), reverse=True)
    ages = older + recent
    statuses = [pick_status(rng, age) for age in older]
    early = ["draft"] * 5 + ["in_review"] * 2 + ["approved"]
    rng.shuffle(early)
    statuses += early
    blame = set(rng.sample([i for i in range(n - RECENT, n) if statuses[i] == "draft"], 4))
    sev4 = [i for i in range(n - RECENT) if severity[i] == "SEV4"]
    sev4.sort(key=lambda i: (themes[i].code != "alert-fatigue", rng.random()))
    for i in sev4[:3]:
        statuses[i] = "not_required"
    reopened = {i for i in sev4[3:] if statuses[i] == "published"}
    reopened = set(sorted(reopened)[:1])
    pairs = [
        i
        for i in range(n - RECENT)
        if statuses[i] not in ("not_required", "draft") and severity[i] != "SEV4"
    ]
    doubled = set(rng.sample(pairs, 4))

    plans: list[Plan] = []
    incident = 0
    last_of_theme: dict[str, str] = {}
    for i in range(n):
        keys = []
        for _ in range(2 if i in doubled else 1):
            incident += 1
            keys.append(f"INC-{incident:04d}")
        key = f"PM-{i + 1:04d}"
        plans.append(
            Plan(
                number=i + 1,
                key=key,
                incident_keys=tuple(keys),
                theme=themes[i],
                severity=severity[i],
                age_days=ages[i],
                status=statuses[i],
                seed=f"{seed}:{key}",
                blame=i in blame,
                reopened=i in reopened,
                previous=last_of_theme.get(themes[i].code, ""),
            )
        )
        last_of_theme[themes[i].code] = keys[-1]
    return plans


def demo_postmortems(*, today: date, seed: int = 7) -> list[PostmortemRecord]:
    """About 65 postmortems over the 18 months before ``today``, oldest first.

    Deterministic for a given ``(today, seed)``; keys (``PM-0001``,
    ``INC-0001``) depend on the seed only.
    """
    return [build_record(plan, today=today) for plan in _base_plans(seed)]


def _stream_plans(count: int, seed: int, prefix: str) -> Iterator[Plan]:
    rng = random.Random(f"{seed}:stream:{prefix}")
    incident = 0
    last_of_theme: dict[str, str] = {}
    span = STREAM_DAYS - MIN_AGE
    for i in range(count):
        age = MIN_AGE + span * (1 - (i + rng.random()) / count)
        theme = theme_at(rng.random())
        severity = rng.choices(SEVERITIES, weights=theme.severity_weights)[0]
        if severity == "SEV4" and age > 7 and rng.random() < 0.25:
            status = "not_required"
        else:
            status = pick_status(rng, age)
        doubled = (
            status not in ("not_required", "draft")
            and severity != "SEV4"
            and age > 30
            and rng.random() < 0.05
        )
        reopened = severity == "SEV4" and status == "published" and rng.random() < 0.05
        keys = []
        for _ in range(2 if doubled else 1):
            incident += 1
            keys.append(f"INC-{prefix}{incident:06d}")
        key = f"PM-{prefix}{i + 1:06d}"
        yield Plan(
            number=i + 1,
            key=key,
            incident_keys=tuple(keys),
            theme=theme,
            severity=severity,
            age_days=age,
            status=status,
            seed=f"{seed}:{key}",
            blame=status == "draft" and age < 30 and rng.random() < 0.3,
            reopened=reopened,
            previous=last_of_theme.get(theme.code, ""),
        )
        last_of_theme[theme.code] = keys[-1]


def stream_postmortems(
    count: int, *, today: date, seed: int = 7, prefix: str = "S"
) -> Iterator[PostmortemRecord]:
    """Yield ``count`` postmortems lazily, spread over the four years before ``today``.

    Keys are ``PM-<prefix>000001`` and ``INC-<prefix>000001`` upwards, distinct
    from the base demo's. Memory use does not grow with ``count``.
    """
    for plan in _stream_plans(count, seed, prefix):
        yield build_record(plan, today=today)
