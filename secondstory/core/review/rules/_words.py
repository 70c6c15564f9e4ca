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

HUMAN_POSSESSIVE = re.compile(r"\b(?:his|her|their|my|our|your)\b", re.I)

# Things a person does or owns that can be framed as a cause.
ACTION_NOUNS = (
    r"(?:change|changes|hotfix|deploy|deployment|commit|push|pr|pull request|patch|config|"
    r"configuration|mistake|error|typo|script|command|query|migration|rollout|edit|merge|"
    r"decision|oversight|action|actions|fix|update|release|code|work|negligence|carelessness)"
)
