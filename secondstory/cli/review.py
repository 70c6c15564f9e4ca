"""What ``secondstory review`` reads, decides and prints; no Django, no click.

The command in :mod:`secondstory.cli.main` parses its options and calls
:func:`run_review`; everything a script depends on (the record keys, 1-based
positions, exit statuses, the SARIF shape) is decided here.

Example:
    >>> position("Timeline\\n14:02 Alice restarted the primary.", 15)
    (2, 7)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from secondstory.core.review import Finding

STDIN = "-"
FORMATS = ("text", "json", "jsonl", "sarif")
FAIL_ON = ("blame", "hindsight", "tone", "never")
SEVERITY_RANK = {"info": 0, "tone": 1, "hindsight": 2, "blame": 3}
SARIF_LEVEL = {"blame": "error", "hindsight": "warning", "tone": "note", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RECORD_KEYS = (
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "rule",
    "category",
    "severity",
    "message",
    "suggestion",
    "text",
)

# Descriptions and default severities of the built-in rules, for SARIF's rule table.
RULE_SUMMARIES = {
    "counterfactual": ("A person should have, could have or failed to act.", "blame"),
    "normative-judgment": ("A judgment of a person: careless, negligent, sloppy.", "blame"),
    "human-error": ("Human or operator error presented as a cause.", "blame"),
    "person-as-cause": ("A person or team singled out as the cause.", "blame"),
    "hindsight": ("Hindsight: obvious, clearly, predictable.", "hindsight"),
    "minimisation": ("Minimising: just had to, simply forgot.", "tone"),
    "procedure-violation": ("Ignoring or bypassing a procedure as the explanation.", "blame"),
    "judgmental-passive": ("A judgmental passive: the alert was ignored.", "blame"),
    "person-root-cause": ("A person or a person's action as the root cause.", "blame"),
    "person-targeted": ("An action item aimed at people (retrain, remind) not the system.", "tone"),
    "single-root-cause": ("A single root cause where several factors combined.", "info"),
}


class ReviewInputError(Exception):
    """A usage or read error: reported as one line, exit status 2."""


@dataclass(frozen=True, slots=True)
class Document:
    """One text to review: ``path`` as shown in the output (``-`` for stdin)."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class ReviewOptions:
    output_format: str = "text"
    preset: str | None = None
    disable: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    fail_on: str = "blame"


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    output: str
    status: int
    findings: list[tuple[Document, Finding]] = field(default_factory=list)


def decode(data: bytes, path: str) -> str:
    """The text of a file: UTF-8 (a byte-order mark is dropped), newlines as ``\\n``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewInputError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def markdown_files(paths: Sequence[str]) -> list[str]:
    """Expand directories to the ``*.md`` files under them, in a stable order."""
    if not paths:
        raise ReviewInputError("give at least one PATH, or - to read standard input")
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if name == STDIN:
            found.append(STDIN)
        elif path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*.md")) if p.is_file())
        elif path.is_file():
            found.append(name)
        else:
            raise ReviewInputError(f"{name}: no such file or directory")
    return found


def read_document(path: str, stdin: bytes | None = None) -> Document:
    if path == STDIN:
        return Document(STDIN, decode(stdin or b"", "<stdin>"))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReviewInputError(f"{path}: {exc.strerror or exc}") from exc
    return Document(path, decode(data, path))


def read_names_file(path: str) -> tuple[str, ...]:
    """Names, one a line; blank lines and ``#`` comments are skipped."""
    try:
        text = decode(Path(path).read_bytes(), path)
    except OSError as exc:
        raise ReviewInputError(f"{path}: {exc.strerror or exc}") from exc
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def finding_record(document: Document, finding: Finding) -> dict[str, Any]:
    """The object written per finding by ``json`` and ``jsonl``: exactly RECORD_KEYS."""
    line, column = position(document.text, finding.start)
    end_line, end_column = position(document.text, finding.end)
    return {
        "path": document.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "rule": finding.rule,
        "category": finding.category,
        "severity": finding.severity,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "text": document.text[finding.start : finding.end],
    }


def marked_sentence(document: Document, finding: Finding) -> str:
    """The sentence with the flagged span between « and », on one line."""
    text, span = document.text, document.text[finding.start : finding.end]
    sentence = finding.sentence
    begin = text.rfind(sentence, 0, finding.start + 1) if sentence else -1
    if begin >= 0 and begin + len(sentence) >= finding.end:
        at = finding.start - begin
    else:
        at = sentence.find(span)
    if at < 0:  # the sentence was normalised: fall back to the source line
        line_start = text.rfind("\n", 0, finding.start) + 1
        line_end = text.find("\n", finding.end)
        sentence = text[line_start : line_end if line_end >= 0 else len(text)]
        at = finding.start - line_start
    marked = f"{sentence[:at]}«{sentence[at : at + len(span)]}»{sentence[at + len(span) :]}"
    return " ".join(marked.split())


def format_text(results: list[tuple[Document, Finding]], file_count: int) -> str:
    lines = []
    for document, finding in results:
        record = finding_record(document, finding)
        lines.append(
            f"{record['path']}:{record['line']}:{record['column']}: "
            f"{finding.rule} ({finding.severity}) {finding.message}"
        )
        lines.append(f"    {marked_sentence(document, finding)}")
        lines.extend(
            f"  also {rule}: {reason}"
            for rule, reason in zip(finding.also, finding.reasons, strict=True)
        )
        if finding.suggestion:
            lines.append(f"  suggestion: {finding.suggestion}")
    lines.append(summary_line(results, file_count))
    return "\n".join(lines) + "\n"


def summary_line(results: list[tuple[Document, Finding]], file_count: int) -> str:
    files = f"{file_count} file" + ("" if file_count == 1 else "s")
    if not results:
        return f"no findings in {files}"
    counts = {
        severity: 0 for severity in sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__)[::-1]
    }
    for _, finding in results:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    by_severity = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    findings = f"{len(results)} finding" + ("" if len(results) == 1 else "s")
    return f"{findings} ({by_severity}) in {files}"


def artifact_uri(path: str) -> str:
    if path == STDIN:
        return STDIN
    as_path = Path(path)
    return as_path.resolve().as_uri() if as_path.is_absolute() else quote(as_path.as_posix())


def sarif_rule(rule: str, severity: str | None) -> dict[str, Any]:
    description, default = RULE_SUMMARIES.get(rule, (rule, severity or "info"))
    return {
        "id": rule,
        "shortDescription": {"text": description},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(default, "note")},
    }


def sarif_result(record: dict[str, Any], rule_index: int) -> dict[str, Any]:
    message = record["message"]
    if record["suggestion"]:
        message = f"{message} Suggestion: {record['suggestion']}"
    region = {
        "startLine": record["line"],
        "startColumn": record["column"],
        "endLine": record["end_line"],
        "endColumn": record["end_column"],
        "snippet": {"text": record["text"]},
    }
    return {
        "ruleId": record["rule"],
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL.get(record["severity"], "note"),
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(record["path"])},
                    "region": region,
                }
            }
        ],
    }


def format_sarif(records: list[dict[str, Any]], version: str) -> str:
    """SARIF 2.1.0: every built-in rule in the driver, one result per finding."""
    rule_ids = list(RULE_SUMMARIES)
    severities: dict[str, str] = {}
    for record in records:
        severities.setdefault(record["rule"], record["severity"])
        if record["rule"] not in rule_ids:
            rule_ids.append(record["rule"])
    driver = {
        "name": "secondstory",
        "version": version,
        "rules": [sarif_rule(rule, severities.get(rule)) for rule in rule_ids],
    }
    results = [sarif_result(record, rule_ids.index(record["rule"])) for record in records]
    log = {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [
            {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def render(results: list[tuple[Document, Finding]], output_format: str, file_count: int) -> str:
    if output_format == "text":
        return format_text(results, file_count)
    records = [finding_record(document, finding) for document, finding in results]
    if output_format == "jsonl":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    if output_format == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if output_format == "sarif":
        from secondstory import __version__

        return format_sarif(records, __version__)
    raise ReviewInputError(f"unknown format {output_format!r} (known: {', '.join(FORMATS)})")


def exit_status(findings: Iterable[Finding], fail_on: str) -> int:
    """1 when a finding is at or above ``fail_on`` (blame > hindsight > tone > info)."""
    if fail_on == "never":
        return 0
    if fail_on not in SEVERITY_RANK:
        raise ReviewInputError(f"unknown --fail-on {fail_on!r} (known: {', '.join(FAIL_ON)})")
    threshold = SEVERITY_RANK[fail_on]
    return int(any(SEVERITY_RANK.get(f.severity, 0) >= threshold for f in findings))


def run_review(
    documents: Sequence[Document], options: ReviewOptions, cwd: Path | None = None
) -> ReviewOutcome:
    """Review every document with the engine; organisation settings come from ``cwd``.

    The engine merges the settings with the flags (names, teams, enabled and disabled
    rules); ``--preset`` overrides the configured preset.
    """
    from secondstory.core.review import ReviewTooLargeError, load_config, review

    try:
        config = load_config(cwd or Path.cwd())
        config = replace(config, preset=options.preset or config.preset)
        settings: dict[str, Any] = {
            "names": options.names,
            "preset": config.preset,
            "disable": options.disable,
            "config": config,
        }
        review("", **settings)  # unknown rules, presets and broken plugins fail here, once
    except ValueError as exc:
        raise ReviewInputError(str(exc)) from exc
    results: list[tuple[Document, Finding]] = []
    for document in documents:
        try:
            findings = review(document.text, **settings)
        except ReviewTooLargeError as exc:
            raise ReviewInputError(f"{document.path}: {exc}") from exc
        results.extend((document, f) for f in sorted(findings, key=lambda f: (f.start, f.end)))
    output = render(results, options.output_format, len(documents))
    return ReviewOutcome(output, exit_status((f for _, f in results), options.fail_on), results)
