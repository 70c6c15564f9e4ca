"""The API object: its routers, its error handlers and the OpenAPI 3.1 document.

Mounted at ``/api/`` (``urls.py``): the document at ``/api/schema/`` and the interactive
documentation at ``/api/docs/`` (Swagger UI served from static files, no third-party host).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from secondstory import __version__
from secondstory.api import (
    actions,
    comments,
    errors,
    factors,
    incidents,
    insights,
    learning,
    library,
    postmortems,
    timeline,
    webhooks_doc,
)
from secondstory.api.auth import TokenAuth

DESCRIPTION = """\
The secondstory REST API. Authenticate with a personal or service token
(`Authorization: Bearer ss_…`) created on the account page; each operation names the scope
it needs. Lists are paged with `page` and `limit` and give `next` and `previous` links;
errors are `{"error": {"code", "message", "field"}}`. See docs/api.md.
"""


class SecondstoryApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _name_scopes(schema, self.scopes())
        hooks = webhooks_doc.webhooks()
        if hooks:
            schema["webhooks"] = hooks
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in webhooks_doc.components().items():
                if name in schemas and schemas[name] != definition:
                    raise ValueError(f"API and webhook payloads both define a schema {name!r}")
                schemas[name] = definition
        return schema

    def scopes(self) -> dict[str, str]:
        """operationId -> the scope the operation's token needs."""
        found = {}
        for _prefix, router in self._routers:
            for view in router.path_operations.values():
                for operation in view.operations:
                    for auth in operation.auth_callbacks:
                        if isinstance(auth, TokenAuth):
                            found[self.get_openapi_operation_id(operation)] = auth.scope
        return found


def _name_scopes(schema: dict[str, Any], scopes: dict[str, str]) -> None:
    """Each operation says the scope it needs: in its security requirement and its text."""
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            scope = scopes.get(operation.get("operationId", ""))
            if scope is None:
                continue
            operation["security"] = [
                {name: [scope]} for r in operation.get("security", []) for name in r
            ]
            text = operation.get("description", "")
            operation["description"] = f"Needs a token with the `{scope}` scope.\n\n{text}".strip()


api = SecondstoryApi(
    title="secondstory",
    version=__version__,
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs=Swagger(settings={"persistAuthorization": False}),
)
errors.install(api)
api.add_router("/incidents", incidents.router)
api.add_router("/incidents", timeline.router)
api.add_router("/postmortems", postmortems.router)
api.add_router("/postmortems", factors.router)
api.add_router("/postmortems", comments.router)
api.add_router("/postmortems", learning.router)
api.add_router("/actions", actions.router)
api.add_router("/", library.router)
api.add_router("/insights", insights.router)
api.add_router("/insights", learning.insights_router)
