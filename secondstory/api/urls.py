"""Routes of the API (included from secondstory/urls.py at ``api/``).

The API authenticates every request with a token, not a session: its views are exempt from
the sign-in redirect (an unauthenticated call answers 401 in the API's error shape).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver

from secondstory.api.main import api


def _open(patterns: list[Any]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


_patterns, _app, app_name = api.urls  # the namespace is "api"
urlpatterns = _open(list(_patterns))
