"""What the design tests check on every page: axe-core, unstyled controls, page width.

axe-core (tests/e2e/vendor/axe.min.js, MPL-2.0, from the npm package) runs inside the page;
the browser context bypasses the Content-Security-Policy so the script can be injected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")

# A control counts as unstyled when it still has the browser's own font, or its browser
# border, radius, background and padding all at once: both are compared with the same
# element (tag, type, multiple) in an empty frame that has no stylesheet at all. Checkboxes,
# radios and ranges are drawn by the browser; they must at least take the accent colour.
_UNSTYLED_CONTROLS = """() => {
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  document.body.appendChild(frame);
  const blank = frame.contentDocument;
  const box = ['border-top-color', 'border-top-width', 'border-top-style',
               'border-top-left-radius', 'background-color', 'padding-top', 'padding-left'];
  const found = [];
  for (const el of document.querySelectorAll('button, input, select, textarea')) {
    if (el.type === 'hidden' || el.getClientRects().length === 0) continue;
    const ref = blank.createElement(el.tagName);
    if (el.tagName === 'INPUT') ref.type = el.type;
    if (el.multiple) ref.multiple = true;
    blank.body.appendChild(ref);
    const own = getComputedStyle(el);
    const plain = frame.contentWindow.getComputedStyle(ref);
    let unstyled;
    if (['checkbox', 'radio', 'range'].includes(el.type)) {
      unstyled = own.accentColor === 'auto';
    } else {
      const font = own.fontFamily === plain.fontFamily && own.fontSize === plain.fontSize;
      unstyled = font || box.every(p => own.getPropertyValue(p) === plain.getPropertyValue(p));
    }
    if (unstyled) {
      const label = (el.name || el.id || el.textContent || el.value || '').trim().slice(0, 40);
      found.push(`<${el.tagName.toLowerCase()}${el.type ? ' type=' + el.type : ''}> "${label}"`);
    }
  }
  frame.remove();
  return found;
}"""

_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN)
    return [v for v in violations if v["impact"] in SERIOUS]


def unstyled_controls(page: Page) -> list[str]:
    """The visible controls that still look as the browser draws them by default."""
    found: list[str] = page.evaluate(_UNSTYLED_CONTROLS)
    return found


def horizontal_overflow(page: Page) -> int:
    """By how many pixels the page is wider than the window (0: no horizontal scrolling)."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return max(width, 0)


def screenshot_folder(default: Path) -> Path:
    """``SECONDSTORY_SCREENSHOTS`` names the folder for the page screenshots; else ``default``."""
    folder = Path(os.environ.get("SECONDSTORY_SCREENSHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
