"""The diagnostic as text, Markdown, JSON (the scripting contract) or a self-contained HTML page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from html import escape

from secondstory.core.insights.health.model import CheckResult
from secondstory.core.insights.health.registry import CHECK_IDS, by_severity

FORMATS = ("text", "json", "md", "html")
Link = Callable[[str], str]


def _scope(result: CheckResult) -> str:
    scope = result.scope
    if scope.get("organisation"):
        return "organisation"
    return ", ".join(f"{name} {value}" for name, value in scope.items())


def as_json(as_of: date, results: list[CheckResult]) -> str:
    body = {"as_of": as_of.isoformat(), "checks": [r.as_json() for r in results]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def as_text(as_of: date, results: list[CheckResult]) -> str:
    lines = [f"Learning health as of {as_of.isoformat()}"]
    for result in by_severity(results):
        lines.append(f"{result.status.upper():5}  {result.id}  [{_scope(result)}]  {result.detail}")
        if result.status != "ok":
            lines.append(f"       evidence: {', '.join(result.evidence)}")
            lines.append(f"       suggestion: {result.suggestion}")
    alarms = sum(r.status == "alarm" for r in results)
    warns = sum(r.status == "warn" for r in results)
    lines.append(f"{alarms} alarms, {warns} warnings, {len(results) - alarms - warns} ok")
    return "\n".join(lines) + "\n"


def as_markdown(as_of: date, results: list[CheckResult], link: Link | None = None) -> str:
    def ref(key: str) -> str:
        return f"[{key}]({link(key)})" if link else f"`{key}`"

    lines = [f"# Learning health as of {as_of.isoformat()}", ""]
    concerns = [r for r in by_severity(results) if r.status != "ok"]
    if concerns:
        lines += ["## Alarms and warnings", ""]
        for r in concerns:
            lines.append(f"- **{r.status}** `{r.id}` ({_scope(r)}): {_md(r.detail)}")
            lines.append(f"  - Evidence: {', '.join(ref(k) for k in r.evidence)}")
            lines.append(f"  - Suggestion: {_md(r.suggestion)}")
        lines.append("")
    lines += [
        "## All checks",
        "",
        "| Check | Scope | Status | Value | Threshold |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        value = "–" if r.value is None else f"{r.value:g}"
        lines.append(f"| {r.id} | {_md(_scope(r))} | {r.status} | {value} | {r.threshold:g} |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


_COLOURS = {"ok": "#2e7d32", "warn": "#b26a00", "alarm": "#c62828"}
_CSS = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b}"
    "h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}"
    ".alarm{color:#c62828;font-weight:600}.warn{color:#b26a00;font-weight:600}.ok{color:#2e7d32}"
    "li{margin-bottom:.6rem}"
)


def status_chart(results: list[CheckResult]) -> str:
    """An inline SVG: one row per check, its scopes counted by status."""
    row, width = 24, 420
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width + 230}" '
        f'height="{row * len(CHECK_IDS) + 10}" aria-label="Scopes by status for each check">'
    ]
    most = max([sum(r.id == c for r in results) for c in CHECK_IDS] + [1])
    for i, check in enumerate(CHECK_IDS):
        y = 5 + i * row
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(check)}</text>')
        x = 220.0
        for status in ("alarm", "warn", "ok"):
            count = sum(r.id == check and r.status == status for r in results)
            if count:
                w = width * count / most
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" '
                    f'fill="{_COLOURS[status]}"><title>{count} {status}</title></rect>'
                )
                x += w
    parts.append("</svg>")
    return "".join(parts)


def as_html(as_of: date, results: list[CheckResult], link: Link | None = None) -> str:
    def ref(key: str) -> str:
        return f'<a href="{escape(link(key))}">{escape(key)}</a>' if link else escape(key)

    concerns = [r for r in by_severity(results) if r.status != "ok"]
    items = "".join(
        f'<li><span class="{r.status}">{r.status}</span> <code>{escape(r.id)}</code> '
        f"({escape(_scope(r))}): {escape(r.detail)}<br>Evidence: "
        f"{', '.join(ref(k) for k in r.evidence)}<br><em>{escape(r.suggestion)}</em></li>"
        for r in concerns
    )
    rows = "".join(
        f'<tr><td>{escape(r.id)}</td><td>{escape(_scope(r))}</td><td class="{r.status}">'
        f"{r.status}</td><td>{'–' if r.value is None else f'{r.value:g}'}</td>"
        f"<td>{r.threshold:g}</td></tr>"
        for r in results
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Learning health as of {as_of.isoformat()}</title><style>{_CSS}</style></head>"
        f"<body><h1>Learning health as of {as_of.isoformat()}</h1>{status_chart(results)}"
        f"<h2>Alarms and warnings</h2><ul>{items or '<li>None.</li>'}</ul>"
        "<h2>All checks</h2><table><thead><tr><th>Check</th><th>Scope</th><th>Status</th>"
        f"<th>Value</th><th>Threshold</th></tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>\n"
    )


def render(fmt: str, as_of: date, results: list[CheckResult], link: Link | None = None) -> str:
    if fmt == "json":
        return as_json(as_of, results)
    if fmt == "md":
        return as_markdown(as_of, results, link)
    if fmt == "html":
        return as_html(as_of, results, link)
    return as_text(as_of, results)
