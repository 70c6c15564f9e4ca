"""The redaction corpus: secrets that must go and look-alikes that must stay.

``tests/fixtures/redact/must_redact.corpus`` holds one line per case, ``kind | text``, the secret
between ``⟦`` and ``⟧``; ``look_alikes.corpus`` one text per line that must come out unchanged.
Token-shaped values are ``<<name>>`` placeholders filled here with fakes built by
concatenation, so the files hold no whole token. ``benchmarks/redaction_rates.py`` prints the
rates over the same corpus.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from secondstory.core.timeline.redact import MARKER_PREFIX, Redactor, marker

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "redact"

_B64 = "Zm9vYmFyYmF6cXV4"  # base64 of "foobarbazqux"
PLACEHOLDERS = {
    "gitlab_pat": "glpat-" + "Nw0rthw1nd" + "F4keT0ken_12",
    "gitlab_deploy": "gldt-" + "Nw0rthw1ndDeploy" + "T0ken99",
    "gitlab_runner": "glrt-" + "t1_Nw0rthw1nd" + "RunnerT0ken",
    "npm_token": "npm_" + "N0rthw1ndF4keNpm" + "T0ken0123456789abcde",
    "openai_project": "sk-" + "proj-" + "Nw0rthw1ndF4ke" + "Pr0jectKey_0123456789-abcdEFGH",
    "openai_service": "sk-" + "svcacct-" + "Nw0rthw1ndF4ke" + "ServiceKey0123456789",
    "openai_legacy": "sk-" + "Nw0rthw1ndF4keLegacyKey0" + "123456789abcdefABCDEFGHI",
    "azure_key": (_B64 * 5)[:86] + "==",
    "azure_sig": "N0rthw1nd" + "F4keSig%2B" + "0123456789%3D",
    "github_token": "ghp_" + "N0rthw1ndF4keT0ken" + "V4lue0123456789abc",
    "aws_key_id": "AKIA" + "NORTHWIND0EXAMPL",
    "slack_bot": "xoxb-" + "1234567890-0987654321-" + "NorthwindFakeValue42",
    "image_b64": base64.b64encode(bytes(range(256)) * 3).decode(),
}


@dataclass(frozen=True)
class Case:
    line: int
    kind: str
    text: str
    secret: str


def fill(template: str) -> str:
    return re.sub(r"<<(\w+)>>", lambda m: PLACEHOLDERS[m.group(1)], template)


def _lines(name: str) -> list[tuple[int, str]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [
        (number, fill(line))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]


def must_redact() -> list[Case]:
    cases = []
    for number, line in _lines("must_redact.corpus"):
        kind, _, text = line.partition(" | ")
        secret = text[text.index("⟦") + 1 : text.index("⟧")]
        cases.append(Case(number, kind.strip(), text.replace("⟦", "").replace("⟧", ""), secret))
    return cases


def look_alikes() -> list[tuple[int, str]]:
    return _lines("look_alikes.corpus")


def redacted_well(case: Case) -> tuple[bool, str]:
    """Whether the case's secret is gone, every word of it, with a marker of its kind."""
    out = Redactor().text(case.text)
    words = [word for word in re.split(r"[\s:]+", case.secret) if len(word) >= 4]
    gone = case.secret not in out and not any(word in out for word in words)
    return gone and marker(case.kind) in out, out


def kept(text: str) -> tuple[bool, str]:
    out = Redactor().text(text)
    return out == text and MARKER_PREFIX not in out, out
