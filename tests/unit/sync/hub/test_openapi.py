"""The hub's OpenAPI document lists every hub operation, both ways, with the
credential each really takes: a user's session for the board and sign-in
routes, a lane's sync token (``laneToken``) for the sync routes — and each
credential opens only its own routes, so a client or a fuzzer reading the
document is told the truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient

from sync.hub.app import Hub
from sync.hub.lanes import STATUS_SCHEMA
from sync.hub.receiver import BATCH_SCHEMA
from sync.hub.store import HubStore
from sync.protocol import cursor_path, events_path, reference_path, roster_path, status_path
from tests.support.hub_rig import HUB_ID, HUB_USERS, LANE
from tests.support.openapi import api_routes, assert_credentials_required, assert_document_matches_routes, operations

SYNC = "/api/v1/sync/{lane}"
SYNC_OPERATIONS = {(f"{SYNC}/cursor", "get"), (f"{SYNC}/events", "post"), (f"{SYNC}/status", "post"),
                   (f"{SYNC}/reference", "get"), (f"{SYNC}/roster", "get"), (f"{SYNC}/lane-keys", "get")}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    store = HubStore(tmp_path / "hub.sqlite3", HUB_ID).start()
    try:
        yield Hub(store)
    finally:
        store.close()


def document(hub: Hub) -> dict[str, Any]:
    return hub.app.test_client().get("/api/v1/openapi.json").get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: FlaskClient, hub: Hub, username: str = "carol") -> str:
    role, password = HUB_USERS[username]
    hub.users.add(username, role, password)
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["token"]


def test_every_hub_api_route_is_in_the_document_and_nothing_else(hub: Hub):
    doc = document(hub)
    assert_document_matches_routes(hub.app, doc)
    assert SYNC_OPERATIONS <= api_routes(hub.app)
    outside = [(rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
               for rule in hub.app.url_map.iter_rules() if not rule.rule.startswith("/api/v1")]
    assert all(methods == ["GET"] for _, methods in outside), outside  # pages, files, monitoring


def test_the_sync_routes_take_the_lane_token_and_the_others_a_session_or_nothing(hub: Hub):
    doc = document(hub)
    schemes = doc["components"]["securitySchemes"]
    assert set(schemes) == {"bearer", "laneToken"}
    assert schemes["laneToken"]["type"] == "http" and schemes["laneToken"]["scheme"] == "bearer"
    assert "add-lane" in schemes["laneToken"]["description"]
    for path, method, op in operations(doc):
        if (path, method) in SYNC_OPERATIONS:
            assert op["security"] == [{"laneToken": []}], (path, method)
            assert "x-roles" not in op and "401" in op["responses"]
        else:
            assert op["security"] in ([], [{"bearer": []}]), (path, method)
    paths = doc["paths"]
    assert paths[f"{SYNC}/events"]["post"]["requestBody"]["content"]["application/json"]["schema"] == \
        BATCH_SCHEMA
    assert paths[f"{SYNC}/status"]["post"]["requestBody"]["content"]["application/json"]["schema"] == \
        STATUS_SCHEMA
    assert {"409", "422"} <= set(paths[f"{SYNC}/events"]["post"]["responses"])
    assert "304" in paths[f"{SYNC}/reference"]["get"]["responses"]
    assert "304" in paths[f"{SYNC}/roster"]["get"]["responses"]


def only(doc: dict[str, Any], scheme: str) -> dict[str, Any]:
    """``doc`` cut down to the operations secured by ``scheme``."""
    return {"paths": {path: {method: op for method, op in ops.items() if op["security"] == [{scheme: []}]}
                      for path, ops in doc["paths"].items()}}


def test_each_credential_opens_its_own_routes_only(hub: Hub):
    client = hub.app.test_client()
    doc = document(hub)
    lane_token = hub.store.add_lane("1")  # the lane the checks' concrete paths name
    user_token = sign_in(client, hub)
    secured = sum(1 for _, _, op in operations(doc) if op["security"])
    assert assert_credentials_required(client, doc) == secured
    assert assert_credentials_required(client, doc, bearer("not-a-token")) == secured
    assert assert_credentials_required(client, only(doc, "bearer"), bearer(lane_token)) == \
        secured - len(SYNC_OPERATIONS)
    assert assert_credentials_required(client, only(doc, "laneToken"), bearer(user_token)) == \
        len(SYNC_OPERATIONS)


def test_with_its_token_a_lane_reaches_every_sync_route_as_before(hub: Hub):
    client = hub.app.test_client()
    auth = bearer(hub.store.add_lane(LANE))
    assert client.get(cursor_path(LANE), headers=auth).get_json() == {"ack": 0}
    bad = client.post(events_path(LANE), headers=auth, json={"events": [1]})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_event"
    assert "events[0]" in bad.get_json()["error"]["message"]
    status = {"lane": LANE, "ts": "2026-03-02T10:00:00.000Z", "devices": []}
    assert client.post(status_path(LANE), headers=auth, json=status).get_json() == {"ok": True}
    missing = client.get(reference_path(LANE), headers=auth)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "no_reference"
    roster = client.get(roster_path(LANE), headers=auth)
    assert roster.status_code == 200 and roster.get_json() == {"hub": hub.hub_id, "lane": LANE, "users": []}
    assert roster.headers["ETag"] and roster.headers["Lanebox-Signature"]
    again = client.get(roster_path(LANE), headers={**auth, "If-None-Match": roster.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
