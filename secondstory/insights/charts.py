"""Server-rendered SVG charts: bar, stacked bar, box per period and heat-map.

No JavaScript and no network: each chart is a small inline ``<svg role="img">`` with a
``<title>`` and ``<desc>``; the table beside it (``Chart.header`` / ``Chart.rows``) is its
text alternative and its CSV. Pure Python (no Django), so a report can embed the same SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from secondstory.core.insights.stats import Distribution

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 46
# A colour-blind-safe palette (Okabe–Ito), in series order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999")

Cell = str | int | float | None


@dataclass(slots=True)
class Chart:
    """One figure: its SVG and the table of the numbers it draws."""

    id: str
    title: str
    definition: str
    header: list[str]
    rows: list[list[Cell]]
    svg: str = ""
    notes: list[str] = field(default_factory=list)


def _open(chart_id: str, title: str, desc: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _scale_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _axes(top: float, height: int, labels: Sequence[str]) -> list[str]:
    base = height - BOTTOM
    parts = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#444"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10">{_num(top)}</text>',
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end" font-size="10">0</text>',
    ]
    step = max(1, len(labels) // 12)  # at most about twelve labels fit
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{base + 14}" text-anchor="middle" font-size="10">'
                f"{escape(label)}</text>"
            )
    return parts


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def stacked_bars(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float]],
) -> str:
    """Bars per label, stacked by series (``values[label][series]``); one series = plain bars."""
    top = _scale_max(max((sum(row) for row in values), default=0))
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    parts = _open(chart_id, title, desc) + _axes(top, HEIGHT, labels)
    for i, row in enumerate(values):
        y = HEIGHT - BOTTOM
        for j, value in enumerate(row):
            if value <= 0:
                continue
            h = plot * value / top
            y -= h
            parts.append(
                f'<rect x="{LEFT + slot * i + slot * 0.15:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"/>'
            )
    parts += _legend(series, HEIGHT) if len(series) > 1 else []
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[str], height: int) -> list[str]:
    parts = []
    x = LEFT
    for j, name in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{height - 7}" font-size="10">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return parts


def bars(
    chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float]
) -> str:
    return stacked_bars(chart_id, title, desc, labels, ["count"], [[v] for v in values])


def boxes(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    boxes: Sequence[Distribution | None],
) -> str:
    """A box per label: whiskers at minimum and p90, box q1–q3, a thick line at the median.

    The whisker stops at p90 (marked) rather than the maximum, so one very long incident does
    not flatten every box; the maximum is in the table.
    """
    top = _scale_max(max((b.p90 for b in boxes if b is not None), default=0))
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - plot * min(value, top) / top

    parts = _open(chart_id, title, desc) + _axes(top, HEIGHT, labels)
    for i, box in enumerate(boxes):
        if box is None:
            continue
        centre = LEFT + slot * (i + 0.5)
        half = slot * 0.3
        parts.append(
            f'<line x1="{centre:.1f}" y1="{y(box.minimum):.1f}" x2="{centre:.1f}" '
            f'y2="{y(box.p90):.1f}" stroke="#444"/>'
            f'<line x1="{centre - half / 2:.1f}" y1="{y(box.p90):.1f}" '
            f'x2="{centre + half / 2:.1f}" y2="{y(box.p90):.1f}" stroke="#444"/>'
            f'<rect x="{centre - half:.1f}" y="{y(box.q3):.1f}" width="{2 * half:.1f}" '
            f'height="{max(0.5, y(box.q1) - y(box.q3)):.1f}" fill="{PALETTE[4]}" stroke="#444"/>'
            f'<line x1="{centre - half:.1f}" y1="{y(box.median):.1f}" x2="{centre + half:.1f}" '
            f'y2="{y(box.median):.1f}" stroke="#000" stroke-width="2.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def heat_map(
    chart_id: str, title: str, desc: str, labels: Sequence[str], cells: Sequence[Sequence[int]]
) -> str:
    """A square grid, darker for larger counts (labels on both axes)."""
    size = len(labels)
    margin = 130
    cell = min(36.0, (WIDTH - margin - RIGHT) / max(1, size))
    height = int(margin + cell * size + 4)
    peak = max((max(row) for row in cells if row), default=0) or 1
    parts = _open(chart_id, title, desc, height)
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{margin - 4}" y="{margin + cell * (i + 0.65):.1f}" text-anchor="end" '
            f'font-size="10">{escape(label)}</text>'
            f'<text transform="translate({margin + cell * (i + 0.6):.1f},{margin - 4}) '
            f'rotate(-60)" font-size="10">{escape(label)}</text>'
        )
        for j, value in enumerate(cells[i]):
            opacity = 0.08 + 0.92 * value / peak if value else 0.03
            parts.append(
                f'<rect x="{margin + cell * j:.1f}" y="{margin + cell * i:.1f}" '
                f'width="{cell - 1:.1f}" height="{cell - 1:.1f}" fill="{PALETTE[0]}" '
                f'fill-opacity="{opacity:.2f}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
