"""Every hub route that takes a JSON body (sign-in, the lanes' sync routes,
the board's) answers 400 for JSON a peer must never send — 100,000 levels
deep, NaN, Infinity — and stores nothing."""

from __future__ import annotations

from pathlib import Path

from sync.hub.app import Hub
from sync.hub.store import HubStore
from tests.support.bad_bodies import assert_bad_bodies_refused
from tests.support.hub_rig import HUB_ID, HUB_USERS, LANE
from tests.support.openapi import concrete


def test_every_json_route_refuses_deep_and_non_finite_bodies(tmp_path: Path) -> None:
    store = HubStore(tmp_path / "hub.sqlite3", HUB_ID).start()
    try:
        hub = Hub(store)
        client = hub.app.test_client()
        lane_token = store.add_lane(LANE)
        role, password = HUB_USERS["carol"]
        hub.users.add("carol", role, password)
        session = client.post("/api/v1/session", json={"username": "carol", "password": password}).get_json()
        document = client.get("/api/v1/openapi.json").get_json()

        def headers_for(op: dict) -> dict:
            token = {(): None, ("laneToken",): lane_token}.get(tuple(k for s in op["security"] for k in s),
                                                               session["token"])
            return {"Authorization": f"Bearer {token}"} if token else {}

        fill = lambda path: concrete(path.replace("{lane}", LANE))  # noqa: E731
        assert assert_bad_bodies_refused(client, document, headers_for, fill=fill) >= 3
        assert store.cursor(LANE) == 0
        assert client.get("/api/v1/hub/lanes", headers={"Authorization": f"Bearer {session['token']}"}
                          ).get_json()["lanes"][0].get("status") in (None, {})
    finally:
        store.close()
