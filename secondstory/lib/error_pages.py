"""Error pages with the site's header and navigation (templates 403, 404, 500, 403_csrf).

Django renders 403.html and 404.html with the request already; these two handlers add it
where Django leaves it out: the CSRF failure page, and the 500 page when the request can
still be rendered (the navigation needs the signed-in person). If rendering with the request
fails too, Django's own context-free 500 page (our 500.html, without navigation) answers.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.views import defaults


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent without a valid token (the reason is not shown)."""
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the styled page with navigation, or the plain one when that fails too."""
    try:
        return HttpResponseServerError(render(request, "500.html").content)
    except Exception:
        return defaults.server_error(request)
