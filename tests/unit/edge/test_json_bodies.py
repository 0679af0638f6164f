"""Every lane route that takes a JSON body answers 400 for JSON a peer must
never send — 100,000 levels deep, NaN, Infinity — and stores nothing."""

from __future__ import annotations

from tests.support.bad_bodies import assert_bad_bodies_refused
from tests.support.officer_app import CAMERA, CAMERA_TOKEN, USERS, OfficerApp
from tests.support.openapi import concrete


def test_every_json_route_refuses_deep_and_non_finite_bodies(officer_app: OfficerApp) -> None:
    client = officer_app.client
    document = client.get("/api/v1/openapi.json").get_json()
    by_role = {role: username for username, role in USERS.items()}

    def headers_for(op: dict) -> dict:
        if not op["security"]:
            return {}
        if op["security"] == [{"cameraToken": []}]:
            return {"Authorization": f"Bearer {CAMERA_TOKEN}"}
        user = by_role[op.get("x-roles", ["supervisor"])[0]]
        return {"Authorization": f"Bearer {officer_app.tokens[user]}"}

    before = officer_app.events()
    fill = lambda path: concrete(path.replace("{camera_id}", CAMERA))  # noqa: E731
    assert assert_bad_bodies_refused(client, document, headers_for, fill=fill) >= 15
    assert officer_app.events() == before
