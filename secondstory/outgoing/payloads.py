"""The JSON every outgoing webhook carries, as pydantic models, and their OpenAPI document.

Every delivery is an envelope ``{"id", "type", "created_at", "data"}``; ``data`` depends on
the type. Items of a restricted incident or postmortem carry their keys and links but an
empty ``title`` (``restricted: true``): a receiver is a shared channel, like a Slack one.

>>> sorted(openapi_webhooks())[:2]
['action_item.created', 'action_item.done']
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentData(_Strict):
    key: str = Field(examples=["INC-0042"])
    title: str = Field(description="Empty when the incident is restricted.")
    severity: str = Field(examples=["SEV2"])
    visibility: Literal["internal", "restricted"]
    restricted: bool
    url: str


class PostmortemData(_Strict):
    key: str = Field(examples=["PM-17"])
    title: str = Field(description="Empty when an incident it covers is restricted.")
    status: str = Field(examples=["published"])
    owner: str = Field(description="The owner's username.")
    incidents: list[str] = Field(description="Keys of the incidents it covers.")
    restricted: bool
    url: str


class ActionItemData(_Strict):
    postmortem: str = Field(description="The postmortem's key.", examples=["PM-17"])
    key: str = Field(examples=["A2"])
    title: str = Field(description="Empty when the postmortem is restricted.")
    type: str
    priority: str
    owner: str = Field(description="The owner's username.")
    due: date
    status: str
    restricted: bool
    url: str


class PingData(_Strict):
    endpoint: str = Field(description="The endpoint's name.")
    message: str


class _Envelope(_Strict):
    id: str = Field(description="The event's id: the same on every retry of a delivery.")
    created_at: datetime = Field(description="When the event happened (UTC).")


class IncidentCreated(_Envelope):
    type: Literal["incident.created"]
    data: IncidentData


class ReviewRequested(_Envelope):
    type: Literal["postmortem.review_requested"]
    data: PostmortemData


class PostmortemPublished(_Envelope):
    type: Literal["postmortem.published"]
    data: PostmortemData


class ActionItemCreated(_Envelope):
    type: Literal["action_item.created"]
    data: ActionItemData


class ActionItemOverdue(_Envelope):
    type: Literal["action_item.overdue"]
    data: ActionItemData


class ActionItemDone(_Envelope):
    type: Literal["action_item.done"]
    data: ActionItemData


class Ping(_Envelope):
    type: Literal["ping"]
    data: PingData


#: Event type -> (its envelope, what it means).
EVENTS: dict[str, tuple[type[_Envelope], str]] = {
    "incident.created": (IncidentCreated, "An incident was declared (by a person or an alert)."),
    "postmortem.review_requested": (ReviewRequested, "A postmortem was submitted for review."),
    "postmortem.published": (PostmortemPublished, "A postmortem was published."),
    "action_item.created": (ActionItemCreated, "An action item was added to a postmortem."),
    "action_item.overdue": (ActionItemOverdue, "An open action item passed its due date."),
    "action_item.done": (ActionItemDone, "An action item was marked done."),
    "ping": (Ping, "Sent by the endpoint page's Send test button."),
}

SIGNATURE_HEADER = {
    "name": "X-Secondstory-Signature",
    "in": "header",
    "required": True,
    "description": 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>',
    "schema": {"type": "string"},
}


def validate(payload: dict[str, Any]) -> _Envelope:
    """The payload checked against the model of its type (pydantic ValidationError if not)."""
    model, _ = EVENTS[str(payload.get("type"))]
    return model.model_validate(payload)


def openapi_components() -> dict[str, Any]:
    """``components.schemas`` the webhooks refer to."""
    schemas: dict[str, Any] = {}
    for model, _ in EVENTS.values():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def openapi_webhooks() -> dict[str, Any]:
    """An OpenAPI 3.1 ``webhooks`` object: one POST per event type; its schemas are in
    :func:`openapi_components` (``#/components/schemas/...``)."""
    webhooks = {}
    for kind, (model, summary) in sorted(EVENTS.items()):
        webhooks[kind] = {
            "post": {
                "summary": summary,
                "operationId": f"webhook_{kind.replace('.', '_')}",
                "parameters": [
                    SIGNATURE_HEADER,
                    {
                        "name": "X-Secondstory-Event",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "const": kind},
                    },
                    {
                        "name": "X-Secondstory-Delivery",
                        "in": "header",
                        "required": True,
                        "description": "The event's id (as in the body).",
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; any other answer is retried."},
                },
            }
        }
    return webhooks


def openapi_document(version: str = "") -> dict[str, Any]:
    """A whole OpenAPI 3.1 document of the webhooks alone (the REST API's merges the two
    parts above into its own)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "secondstory webhooks", "version": version or "1"},
        "webhooks": openapi_webhooks(),
        "components": {"schemas": openapi_components()},
    }
