"""Sharing a postmortem outside secondstory: print view, PDF, readable Markdown, wiki HTML.

Everybody who may read the postmortem may share it this way (``postmortem_for_reader``: a
restricted postmortem is a 404 to anybody else), and each read of a restricted one is in
the audit log, as the page and the exchange-format download are.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import nh3
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from secondstory.audit.record import record_restricted_read
from secondstory.lib.timezones import viewer_zone
from secondstory.postmortems.access import postmortem_for_reader
from secondstory.postmortems.document import Document, build_document

#: What the wiki HTML keeps: structure and links, no classes, styles or scripts.
_WIKI_ATTRIBUTES = {"a": {"href", "title"}, "time": {"datetime"}, "img": {"src", "alt"}}


def _document(request: HttpRequest, key: str, what: str) -> Document:
    postmortem = postmortem_for_reader(request, key)
    record_restricted_read(request, postmortem, what)
    return build_document(postmortem, viewer_zone(request), timezone.now())


def _filename(key: str, suffix: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key) or "postmortem"
    return f"{safe}{suffix}"


def document_markdown_text(doc: Document) -> str:
    text = render_to_string("postmortems/document.md", {"doc": doc})
    # Template blocks leave runs of blank lines; Markdown needs one.
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


def document_wiki_html(doc: Document) -> str:
    body = render_to_string("postmortems/_document_body.html", {"doc": doc})
    return nh3.clean(body, attributes=_WIKI_ATTRIBUTES, link_rel="noopener noreferrer").strip()


@require_GET
def document(request: HttpRequest, key: str) -> HttpResponse:
    """The print view: the document alone, a toolbar that printing leaves out."""
    doc = _document(request, key, "print view")
    return render(request, "postmortems/document.html", {"doc": doc, "pdf": False})


@require_GET
def document_markdown(request: HttpRequest, key: str) -> HttpResponse:
    """The readable Markdown document (not the exchange format: no front matter, no ids)."""
    doc = _document(request, key, "Markdown document")
    response = HttpResponse(
        document_markdown_text(doc), content_type="text/markdown; charset=utf-8"
    )
    name = _filename(doc.postmortem.key, "-document.md")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def document_html(request: HttpRequest, key: str) -> HttpResponse:
    """The wiki HTML, to copy with a button or to select by hand (no JavaScript needed)."""
    doc = _document(request, key, "wiki HTML")
    context: dict[str, Any] = {
        "doc": doc,
        "html": document_wiki_html(doc),
        "plain": document_markdown_text(doc),
    }
    return render(request, "postmortems/document_html.html", context)


@cache
def _pdf_css() -> str:
    path = settings.PACKAGE_DIR / "static" / "secondstory" / "document.css"
    return path.read_text(encoding="utf-8")


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # A PDF never fetches what a section links to (no requests to internal hosts).
    raise ValueError(f"The PDF does not load {url[:80]}")


@require_GET
def document_pdf(request: HttpRequest, key: str) -> HttpResponse:
    """The document as a PDF, rendered on the server."""
    doc = _document(request, key, "PDF")
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: a system library is missing
        context = {"doc": doc, "problem": str(error)}
        return render(request, "postmortems/document_pdf_unavailable.html", context, status=503)
    html = render_to_string(
        "postmortems/document.html", {"doc": doc, "pdf": True, "pdf_css": _pdf_css()}
    )
    pdf = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = _filename(doc.postmortem.key, ".pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
