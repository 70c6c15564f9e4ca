"""The OpenAPI ``webhooks`` object: the payloads secondstory sends to subscribers.

The schema view (``secondstory.api.schema``) merges what :func:`webhooks` returns into the
document served at ``/api/schema/``; each key is an event name and each value an OpenAPI
Path Item describing the POST secondstory makes. Empty until outgoing webhooks exist.
"""

from __future__ import annotations

from typing import Any


def webhooks() -> dict[str, Any]:
    """The ``webhooks`` section of the OpenAPI document (``{}``: none are sent yet)."""
    return {}
