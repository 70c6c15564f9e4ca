"""The weight of the stylesheets every page loads: bytes as served and gzipped.

Reads the <link rel="stylesheet"> tags of secondstory/templates/base.html (print sheets
apart), finds each file under a static/ folder of the package and prints its size, its
gzip size (level 9, as a compressing proxy or whitenoise's pre-compressed copy would send
it) and the totals. No Django needed.

    python benchmarks/css_weight.py

Measured with the design system: 42,903 bytes, 11,675 gzipped for every page (design.css
10,286 / 3,254; layout.css 7,358 / 1,994; app.css 21,943 / 5,003), against 27,228 and 6,858
before it.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "secondstory"
LINK = re.compile(r"""<link rel="stylesheet" href="\{% static '([^']+)' %\}"( media="print")?>""")


def stylesheet_paths() -> list[tuple[str, bool]]:
    base = (PACKAGE / "templates" / "base.html").read_text(encoding="utf-8")
    return [(name, bool(printed)) for name, printed in LINK.findall(base)]


def find(name: str) -> Path:
    for folder in PACKAGE.rglob("static"):
        if (folder / name).is_file():
            return folder / name
    raise SystemExit(f"base.html links {name}, which no static folder holds")


def main() -> int:
    total = total_gz = 0
    print(f"{'stylesheet':40} {'bytes':>8} {'gzip':>8}")
    for name, printed in stylesheet_paths():
        data = find(name).read_bytes()
        size, gz = len(data), len(gzip.compress(data, compresslevel=9))
        print(f"{name + (' (print)' if printed else ''):40} {size:8,} {gz:8,}")
        if not printed:
            total, total_gz = total + size, total_gz + gz
    print(f"{'every page (screen)':40} {total:8,} {total_gz:8,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
