"""Who responded, when things happened and the facts the text is written from."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from secondstory.core.demo import organisation as org
from secondstory.core.demo.organisation import Staff
from secondstory.core.demo.theme import Theme

MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Minutes, log-uniform: (impact -> detected, detected -> acknowledged,
# acknowledged -> mitigated, mitigated -> resolved).
GAPS: dict[str, tuple[tuple[float, float], ...]] = {
    "SEV1": ((2, 12), (1, 5), (25, 150), (45, 600)),
    "SEV2": ((3, 25), (1, 10), (20, 120), (30, 900)),
    "SEV3": ((5, 60), (2, 25), (15, 240), (20, 1440)),
    "SEV4": ((10, 240), (5, 90), (10, 480), (10, 2880)),
}
# Peak failure percentage by severity.
IMPACT_PCT: dict[str, tuple[float, float]] = {
    "SEV1": (45, 100),
    "SEV2": (12, 50),
    "SEV3": (2, 15),
    "SEV4": (0.2, 3),
}
ROLE_LABELS: dict[str, str] = {
    "oncall": "on-call",
    "ic": "incident commander",
    "sre": "SRE",
    "author": "change author",
    "comms": "communications lead",
    "owner": "service owner",
}
ORDER = ("impact_started", "detected", "acknowledged", "mitigated", "resolved")


@dataclass(slots=True)
class Cast:
    """The people of one postmortem."""

    team: str
    oncall: Staff
    ic: Staff | None
    sre: Staff
    author: Staff
    comms: Staff
    owner: Staff
    facilitator: Staff | None
    reviewers: list[Staff]

    def roles(self) -> dict[str, tuple[Staff, str]]:
        """Timeline role -> (person, role label); without a commander the on-call leads."""
        ic = (self.ic, ROLE_LABELS["ic"]) if self.ic else (self.oncall, ROLE_LABELS["oncall"])
        return {
            "oncall": (self.oncall, ROLE_LABELS["oncall"]),
            "ic": ic,
            "sre": (self.sre, ROLE_LABELS["sre"]),
            "author": (self.author, ROLE_LABELS["author"]),
            "comms": (self.comms, ROLE_LABELS["comms"]),
            "owner": (self.owner, ROLE_LABELS["owner"]),
        }


def _other(rng: random.Random, pool: tuple[Staff, ...], *exclude: Staff | None) -> Staff:
    """Someone from ``pool`` who is none of ``exclude`` (pools are larger than that)."""
    while True:
        staff = pool[int(rng.random() * len(pool))]
        if all(staff is not e for e in exclude):
            return staff


def pick_cast(rng: random.Random, theme: Theme, severity: str, svc2: str) -> Cast:
    team = org.SERVICE_TEAMS[theme.services[0]]
    members = org.TEAM_MEMBERS[team]
    oncall = rng.choice(members)
    author_team = org.SERVICE_TEAMS[svc2] if svc2 in theme.extra_services else team
    authors = [m for m in org.TEAM_MEMBERS[author_team] if m is not oncall]
    author = rng.choice(authors)
    has_ic = severity in ("SEV1", "SEV2") or (severity == "SEV3" and rng.random() < 0.7)
    ic = _other(rng, org.INCIDENT_COMMANDERS, oncall) if has_ic else None
    sre = _other(rng, org.SRES, oncall, ic)
    comms = _other(rng, org.COMMS, oncall, ic)
    owner = rng.choice((oncall, oncall, author, ic or oncall, rng.choice(members)))
    facilitator = _other(rng, org.FACILITATORS, owner) if rng.random() < 0.8 else None
    first = _other(rng, org.REVIEWERS, owner)
    reviewers = [first]
    if severity in ("SEV1", "SEV2") or rng.random() < 0.3:
        reviewers.append(_other(rng, org.REVIEWERS, owner, first))
    return Cast(team, oncall, ic, sre, author, comms, owner, facilitator, reviewers)


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return lo * math.exp(rng.random() * math.log(hi / lo))


def milestones(
    rng: random.Random, theme: Theme, severity: str, start: datetime
) -> dict[str, datetime]:
    """UTC instants of the five milestones, with gaps typical of the severity."""
    ttd, tta, ttm, ttr = GAPS[severity]
    detected = start + timedelta(minutes=_log_uniform(rng, *ttd) * theme.detect_factor)
    acknowledged = detected + timedelta(minutes=_log_uniform(rng, *tta))
    mitigated = acknowledged + timedelta(minutes=_log_uniform(rng, *ttm) * theme.mitigate_factor)
    resolved = mitigated + timedelta(minutes=_log_uniform(rng, *ttr))
    return {
        "impact_started": start.replace(microsecond=0),
        "detected": detected.replace(microsecond=0),
        "acknowledged": acknowledged.replace(microsecond=0),
        "mitigated": mitigated.replace(microsecond=0),
        "resolved": resolved.replace(microsecond=0),
    }


def human(minutes: float) -> str:
    """A duration for prose: ``'7 minutes'``, ``'2 h 5 min'``, ``'3 days'``."""
    m = round(minutes)
    if m < 1:
        return "under a minute"
    if m == 1:
        return "1 minute"
    if m < 60:
        return f"{m} minutes"
    hours, rest = divmod(m, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} hours"
    days = round(m / 1440)
    return "1 day" if days == 1 else f"{days} days"


def pick_options(rng: random.Random, theme: Theme) -> dict[str, str]:
    """One alternative from each of the theme's option groups."""
    chosen: dict[str, str] = {}
    for group in theme.options:
        chosen.update(group[0] if len(group) == 1 else rng.choice(group))
    return chosen


def _minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


def _pct(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def incident_facts(
    rng: random.Random,
    *,
    theme: Theme,
    severity: str,
    cast: Cast,
    options: dict[str, str],
    svc2: str,
    inc_key: str,
    ms: dict[str, datetime],
) -> dict[str, str]:
    """Everything the theme's templates may refer to, for one incident."""
    svc = theme.services[0]
    lo, hi = IMPACT_PCT[severity]
    pct = rng.uniform(lo, hi)
    impact_minutes = _minutes(ms["impact_started"], ms["mitigated"])
    n = max(1, round(theme.volume * impact_minutes * pct / 100 * rng.uniform(0.7, 1.3)))
    ic = cast.ic or cast.oncall
    number = inc_key.rsplit("-", 1)[-1].lower()
    facts = {
        "svc": svc,
        "svc_name": org.SERVICE_NAMES[svc],
        "svc2": svc2,
        "svc2_name": org.SERVICE_NAMES.get(svc2, svc2),
        "team_name": org.TEAM_NAMES[cast.team],
        "sev": severity,
        "inc": inc_key,
        "chan": f"#inc-{number}-{svc}",
        "chan_id": f"C0{rng.getrandbits(36):09X}",
        "pd_id": f"Q{rng.getrandbits(48):012X}",
        "sp_id": f"{rng.getrandbits(40):010x}",
        "oncall": cast.oncall.name,
        "oncall_first": cast.oncall.first,
        "ic": ic.name,
        "ic_first": ic.first,
        "sre": cast.sre.name,
        "sre_first": cast.sre.first,
        "author": cast.author.name,
        "author_first": cast.author.first,
        "comms": cast.comms.name,
        "comms_first": cast.comms.first,
        "owner_first": cast.owner.first,
        "lead": "the incident commander" if cast.ic else "the on-call",
        "Lead": "The incident commander" if cast.ic else "The on-call",
        "date": _date(ms["impact_started"]),
        "impact_hm": _hm(ms["impact_started"]),
        "detected_hm": _hm(ms["detected"]),
        "ack_hm": _hm(ms["acknowledged"]),
        "mitigated_hm": _hm(ms["mitigated"]),
        "resolved_hm": _hm(ms["resolved"]),
        "ttd": human(_minutes(ms["impact_started"], ms["detected"])),
        "tta": human(_minutes(ms["detected"], ms["acknowledged"])),
        "ttm": human(impact_minutes),
        "impact_dur": human(impact_minutes),
        "pct": _pct(pct),
        "pct_ok": _pct(100 - pct),
        "n": f"{n:,}",
        "n2": f"{max(1, round(n * rng.uniform(*theme.n2_ratio))):,}",
        "pr": str(rng.randrange(1200, 9800)),
        "sha": f"{rng.getrandbits(28):07x}",
        "build": str(rng.randrange(20000, 99999)),
        "metric": "error rate",
    }
    facts["pr2"] = str(int(facts["pr"]) + rng.randrange(1, 6))
    facts.update(options)
    for key, value in options.items():
        if "{" in value:
            facts[key] = value.format_map(facts)
    return facts


def _hm(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month]} {moment.year}"
