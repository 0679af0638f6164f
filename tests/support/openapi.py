"""What an OpenAPI document served by lanebox must tell the truth about,
checked against the app that serves it (lane and hub alike)."""

from __future__ import annotations

import re
from typing import Any, Iterator

from flask import Flask
from flask.testing import FlaskClient

from common.web.openapi import openapi_path

API = "/api/v1"


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """(document path, method) of every URL rule under /api/v1."""
    return {(openapi_path(rule.rule), method.lower())
            for rule in app.url_map.iter_rules() if rule.rule.startswith(API)
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def assert_document_matches_routes(app: Flask, document: dict[str, Any]) -> None:
    """Both ways: every /api/v1 route is documented and nothing else is; each
    operation says what it does, answers a success, takes a closed body, and
    names only security schemes the document defines."""
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, method, _ in operations(document)}
    assert api_routes(app) == documented
    schemes = document["components"]["securitySchemes"]
    for path, method, op in operations(document):
        assert op["summary"], (path, method)
        assert "200" in op["responses"] or "201" in op["responses"], (path, method)
        if op.get("requestBody"):
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            assert schema["additionalProperties"] is False, (path, method)
        for requirement in op["security"]:
            assert set(requirement) <= set(schemes), (path, method, requirement)


def concrete(path: str) -> str:
    """``path`` with every parameter filled with ``1`` (valid for ``int`` rules too)."""
    return re.sub(r"{[^}]+}", "1", path)


def assert_credentials_required(client: FlaskClient, document: dict[str, Any],
                                headers: dict[str, str] | None = None) -> int:
    """Every operation the document secures answers 401 when called without
    its credential (or with ``headers`` carrying the wrong one), before it
    looks at anything else; returns how many were called."""
    called = 0
    for path, method, op in operations(document):
        if not op["security"]:
            continue
        response = client.open(concrete(path), method=method.upper(), headers=headers or {},
                               json={} if "requestBody" in op else None)
        assert response.status_code == 401, (path, method, response.status_code)
        assert response.get_json()["error"]["code"] == "unauthorized"
        called += 1
    return called
