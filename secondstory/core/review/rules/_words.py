"""Vocabulary shared by several rules."""

from __future__ import annotations

import re

_IRREGULAR = frozenset(
    [
        "been",
        "done",
        "seen",
        "known",
        "caught",
        "taken",
        "made",
        "run",
        "gone",
        "had",
        "got",
        "gotten",
        "kept",
        "left",
        "put",
        "read",
        "set",
        "sent",
        "spent",
        "told",
        "thought",
        "understood",
        "written",
        "brought",
        "built",
        "found",
        "held",
        "let",
        "lost",
        "met",
        "paid",
        "said",
        "shut",
        "split",
        "stood",
        "struck",
        "woke",
        "won",
        "given",
        "driven",
        "chosen",
        "spoken",
        "broken",
        "frozen",
        "forgotten",
        "begun",
        "drawn",
        "shown",
        "thrown",
        "withdrawn",
        "rung",
        "sung",
        "swum",
        "undone",
        "rewritten",
        "overseen",
    ]
)
# A past participle after "have", allowing one adverb in between ("should have quickly run").
PARTICIPLE = r"(?:\w+ly\s+)?(?:\w+(?:ed|en)|" + "|".join(sorted(_IRREGULAR)) + r")\b"

# Things a person does or owns that can be framed as a cause.
ACTION_NOUNS = (
    r"(?:change|changes|hotfix|deploy|deployment|commit|push|pr|pull request|patch|config|"
    r"configuration|mistake|error|typo|script|command|query|migration|rollout|edit|merge|"
    r"decision|oversight|action|actions|fix|update|release|code|work|negligence|carelessness)"
)

# What a cause, a source or a responsibility can be of when it is about the incident.
PROBLEM_NOUNS = (
    r"(?:outages?|incidents?|failures?|problems?|issues?|errors?|bugs?|breakages?|regressions?|"
    r"(?:data\s+)?loss|downtime|trouble|disruptions?|damage|mistakes?|crash(?:es)?|it\s+all|"
    r"this|it|that|everything|the\s+whole\s+thing)"
)

# Irregular verbs used by the rules' verb classes: base -> (third person, past, participle, -ing).
_IRREGULAR_FORMS = {
    "break": ("breaks", "broke", "broken", "breaking"),
    "bring": ("brings", "brought", "brought", "bringing"),
    "forget": ("forgets", "forgot", "forgotten", "forgetting"),
    "get": ("gets", "got", "gotten", "getting"),
    "go": ("goes", "went", "gone", "going"),
    "knock": ("knocks", "knocked", "knocked", "knocking"),
    "let": ("lets", "let", "let", "letting"),
    "make": ("makes", "made", "made", "making"),
    "overlook": ("overlooks", "overlooked", "overlooked", "overlooking"),
    "override": ("overrides", "overrode", "overridden", "overriding"),
    "overrule": ("overrules", "overruled", "overruled", "overruling"),
    "run": ("runs", "ran", "run", "running"),
    "shut": ("shuts", "shut", "shut", "shutting"),
    "sweep": ("sweeps", "swept", "swept", "sweeping"),
    "take": ("takes", "took", "taken", "taking"),
    "think": ("thinks", "thought", "thought", "thinking"),
    "blow": ("blows", "blew", "blown", "blowing"),
    "put": ("puts", "put", "put", "putting"),
    "misread": ("misreads", "misread", "misread", "misreading"),
    "mistake": ("mistakes", "mistook", "mistaken", "mistaking"),
    "bypass": ("bypasses", "bypassed", "bypassed", "bypassing"),
}
_VOWELS = "aeiou"


def _regular(base: str) -> tuple[str, str, str, str]:
    """Third person, past, participle and -ing of a regular verb."""
    if base.endswith("e"):
        return base + "s", base + "d", base + "d", base[:-1] + "ing"
    if base.endswith("y") and base[-2:-1] not in _VOWELS:
        return base[:-1] + "ies", base[:-1] + "ied", base[:-1] + "ied", base + "ing"
    third = base + ("es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s")
    # One short stressed final syllable doubles its consonant: skip -> skipped.
    if base.endswith(_DOUBLING):
        return third, base + base[-1] + "ed", base + base[-1] + "ed", base + base[-1] + "ing"
    return third, base + "ed", base + "ed", base + "ing"


# Verbs of the classes below whose final consonant doubles (skip -> skipped, drop -> dropped).
_DOUBLING = (
    "skip",
    "drop",
    "stop",
    "omit",
    "admit",
    "slip",
    "trip",
    "wrap",
    "step",
    "ship",
    "plug",
)


def inflections(*bases: str, forms: str = "all") -> list[str]:
    """Every inflection of the given verbs (``forms`` "all", "past" for past tense and
    participle, or "participle").

    Example:
        >>> inflections("skip", "ignore", forms="past")
        ['skipped', 'ignored']
        >>> inflections("break")
        ['break', 'breaks', 'broke', 'broken', 'breaking']
    """
    words: list[str] = []
    for base in bases:
        head, _, rest = base.partition(" ")
        third, past, participle, ing = _IRREGULAR_FORMS.get(head) or _regular(head)
        if forms == "participle":
            chosen = [participle]
        elif forms == "past":
            chosen = [past, participle]
        else:
            chosen = [head, third, past, participle, ing]
        for word in dict.fromkeys(chosen):
            words.append(f"{word} {rest}" if rest else word)
    return words


def alternation(words: list[str]) -> str:
    """A regex group matching any of ``words`` (longest first, spaces as any whitespace)."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) + ")"
