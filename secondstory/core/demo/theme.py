"""The shape of a recurring incident theme.

A theme is the template for a family of similar incidents: the services they
hit, the timeline they tend to follow, the contributing factors and action
items they produce and the words used to describe them. Text is written as
``str.format`` templates over a per-incident ``facts`` dict (see
``COMMON_FACTS``); a theme adds its own facts through ``options``: each group
is a tuple of alternatives, one of which is picked per incident, so siblings
share structure but not wording.
"""

from __future__ import annotations

from dataclasses import dataclass

# Facts every template may use; themes add more through their options.
COMMON_FACTS: frozenset[str] = frozenset(
    {
        "svc",
        "svc_name",
        "svc2",
        "svc2_name",
        "team_name",
        "sev",
        "inc",
        "chan",
        "oncall",
        "oncall_first",
        "ic",
        "ic_first",
        "sre",
        "sre_first",
        "author",
        "author_first",
        "comms",
        "comms_first",
        "owner_first",
        "lead",
        "Lead",
        "date",
        "impact_hm",
        "detected_hm",
        "ack_hm",
        "mitigated_hm",
        "resolved_hm",
        "ttd",
        "tta",
        "ttm",
        "impact_dur",
        "pct",
        "pct_ok",
        "n",
        "n2",
        "pr",
        "pr2",
        "sha",
        "build",
        "metric",
    }
)

# Facts every theme must define in its options.
REQUIRED_OPTION_FACTS: frozenset[str] = frozenset({"alert", "symptom"})

Options = tuple[dict[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One timeline event template.

    ``anchor`` is a milestone kind (offsets ``lo``..``hi`` in minutes from it)
    or ``~kind`` (``lo``..``hi`` as a fraction of the gap from that milestone
    to the next one).
    """

    anchor: str
    lo: float
    hi: float
    kind: str
    source: str
    texts: tuple[str, ...]
    role: str = ""  # oncall, ic, sre, author, comms, owner; "" for automation
    tag: str = ""  # a name factors link to
    known: bool = True
    star: bool = False
    chance: float = 1.0
    when: str = ""  # "", "ic" (an incident commander), "public" (status page), "major"
    ref: str = ""  # a source_ref template; generated when empty
    url: str = ""  # an evidence URL template


@dataclass(frozen=True, slots=True, kw_only=True)
class FactorTemplate:
    code: str
    category: str
    descriptions: tuple[str, ...]
    evidence: tuple[str, ...]
    tags: tuple[str, ...] = ()
    core: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionTemplate:
    titles: tuple[str, ...]
    type: str
    priority: str
    factors: tuple[str, ...]
    done: str = ""
    team: str = ""  # the owner's team; empty means the primary service's team


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    code: str
    name: str
    titles: tuple[str, ...]
    services: tuple[str, ...]  # the first is the primary service
    extra_services: tuple[str, ...] = ()  # one is added unless an option sets svc2
    tags: tuple[str, ...]
    severity_weights: tuple[int, int, int, int]  # SEV1..SEV4
    visibility: str = "internal"
    public: bool = True  # whether a status page may be used
    options: tuple[Options, ...]
    steps: tuple[Step, ...]
    detection: Step | None = None  # replaces the default alert at "detected"
    skip: tuple[str, ...] = ()  # tags of common timeline steps this theme leaves out
    factors: tuple[FactorTemplate, ...]
    actions: tuple[ActionTemplate, ...]
    summary: tuple[str, ...]
    trigger: tuple[str, ...]
    background: tuple[str, ...]
    impact: tuple[str, ...]  # Markdown bullet lines
    detection_text: tuple[str, ...]
    response_text: tuple[str, ...]
    went_well: tuple[str, ...]
    went_poorly: tuple[str, ...]
    got_lucky: tuple[str, ...]
    surprises: tuple[str, ...]
    open_questions: tuple[str, ...]
    volume: float  # units of impact per minute at a 100% failure rate
    n2_ratio: tuple[float, float] = (0.2, 0.6)  # the secondary count as a share of n
    detect_factor: float = 1.0
    mitigate_factor: float = 1.0

    @property
    def severity_bias(self) -> float:
        """The expected severity rank (1 = most severe) of the theme's incidents."""
        total = sum(self.severity_weights)
        return sum((i + 1) * w for i, w in enumerate(self.severity_weights)) / total
