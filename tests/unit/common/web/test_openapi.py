"""The OpenAPI document matches the routes, both ways."""

from __future__ import annotations

from pathlib import Path

from common.web.openapi import openapi_path
from edge.config import parse_config
from edge.server import LaneServer


def test_every_api_route_is_in_the_document_and_nothing_else(tmp_path: Path):
    config = parse_config({"lane": {"id": "DOC-1"}, "server": {"data_dir": str(tmp_path)}})
    server = LaneServer(config)
    client = server.app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")

    routes = {(openapi_path(rule.rule), method.lower())
              for rule in server.app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes == documented
    assert len(routes) >= 15

    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "200" in op["responses"] or "201" in op["responses"]
            if op.get("requestBody"):
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                assert schema["additionalProperties"] is False
