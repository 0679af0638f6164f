"""``GET /api/v1/openapi.json``, built from the routes themselves.

Every view registered with :func:`common.web.routing.endpoint` carries its
spec; this walks Flask's URL map, so a route cannot exist without being in
the document (tests/unit/common/web/test_openapi.py for the lane and
tests/unit/sync/hub/test_openapi.py for the hub check it both ways). A
route's security is the session's ``bearer`` scheme, none for public
routes, or the route's own :class:`~common.web.routing.TokenScheme`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app

from common.web.routing import PUBLIC, RouteSpec, endpoint, lane_server

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}

SESSION = {"type": "http", "scheme": "bearer",
           "description": "A signed-in user's session token, from POST /api/v1/session."}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _operation(spec: RouteSpec, path: str) -> dict[str, Any]:
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', path).strip('_')}",
        "responses": {str(spec.status): {"description": "success",
                                         "content": {"application/json": {"schema": {"type": "object"}}}},
                      "400": {"description": "bad input", **error_ref}},
    }
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{([^}]+)}", path)]
    params += [{"name": name, "in": "query", "required": False,
                "schema": {"type": schema.get("type", "string")}, "description": schema.get("description", "")}
               for name, schema in spec.query.items()]
    if spec.consultation is not None:
        params.append(spec.consultation.openapi_parameter())
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": spec.body}}}
    elif spec.content:
        op["requestBody"] = {"required": True, "content": {media: {"schema": schema}
                                                           for media, schema in spec.content.items()}}
    if spec.token is not None:
        op["security"] = [{spec.token.name: []}]
        op["responses"]["401"] = {"description": f"missing or wrong {spec.token.name}", **error_ref}
    elif spec.roles != PUBLIC:
        op["security"] = [{"bearer": []}]
        op["responses"]["401"] = {"description": "no valid session", **error_ref}
        if spec.roles is not None:
            op["responses"]["403"] = {"description": f"only {', '.join(spec.roles)}", **error_ref}
            op["x-roles"] = list(spec.roles)
    else:
        op["security"] = []
    consulted = spec.consultation.openapi_responses() if spec.consultation is not None else {}
    for status, when in {**consulted, **spec.responses}.items():
        op["responses"][str(status)] = {"description": when, **(error_ref if status >= 400 else {})}
    return op


def build_openapi(app: Flask, title: str, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemes: dict[str, dict[str, Any]] = {"bearer": SESSION}
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if spec is None:
            continue
        path = openapi_path(rule.rule)
        paths.setdefault(path, {})[spec.method.lower()] = _operation(spec, path)
        if spec.token is not None:
            schemes[spec.token.name] = {"type": "http", "scheme": "bearer",
                                        "description": spec.token.description}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR}, "securitySchemes": schemes},
    }


@endpoint(bp, "/openapi.json", "GET", roles=PUBLIC, summary="This document")
def openapi_document() -> Any:
    server = lane_server()
    return build_openapi(current_app, server.api_title, server.version)
