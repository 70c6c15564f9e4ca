"""The OpenAPI ``webhooks`` object: the payloads secondstory sends to subscribers.

The schema view (``secondstory.api.main``) merges what :func:`webhooks` returns into the
document served at ``/api/schema/``, and the payload schemas they refer to into
``components.schemas`` (:func:`components`). The payloads themselves are defined once, with
the outgoing webhooks (``secondstory.outgoing.payloads``), where every emitted payload is
validated against them.
"""

from __future__ import annotations

from typing import Any

from secondstory.outgoing.payloads import openapi_components, openapi_webhooks


def webhooks() -> dict[str, Any]:
    """The ``webhooks`` section of the OpenAPI document: one POST per event kind."""
    return openapi_webhooks()


def components() -> dict[str, Any]:
    """The schemas the webhooks refer to (``#/components/schemas/...``)."""
    return openapi_components()
