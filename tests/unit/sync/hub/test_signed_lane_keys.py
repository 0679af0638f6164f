"""The port's lane keys as the hub's signed document: served to a signed-in user (a lab, the defence)
and to each lane with its token, by ETag; the signature is the hub's key over the very text served,
and names every registered lane's keys."""

from __future__ import annotations

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.identity import key_text, parse_key
from sync.labels import LaneKey
from sync.lane_keys import SIGNED_KEYS_PATH, lane_keys_path, open_document
from tests.support.hub_rig import LANE, InProcessHub


def test_the_hub_serves_the_ports_keys_signed_with_its_key_by_etag(hub: InProcessHub) -> None:
    token = hub.store.add_lane(LANE)
    key = LaneKey(LANE, key_text(Ed25519PrivateKey.generate().public_key()), "2026-03-02T10:00:00.000Z", 3)
    status = {"lane": LANE, "ts": "2026-03-02T10:00:00.000Z", "devices": [], "label_keys": [key.as_dict()]}
    assert requests.post(f"{hub.url}/api/v1/sync/{LANE}/status", json=status, timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 200

    as_user = requests.get(hub.url + SIGNED_KEYS_PATH, timeout=10,
                           headers={"Authorization": f"Bearer {hub.user_token('vera')}"})
    as_lane = requests.get(hub.url + lane_keys_path(LANE), timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert as_user.status_code == as_lane.status_code == 200
    assert as_user.content == as_lane.content
    port = open_document(as_user.json(), parse_key(hub.hub_key))
    assert (port.hub, port.keys) == ("TEST-HUB", [key])

    again = requests.get(hub.url + lane_keys_path(LANE), timeout=10, headers={
        "Authorization": f"Bearer {token}", "If-None-Match": as_lane.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_signed_keys_need_a_signed_in_user_or_the_lanes_own_token(hub: InProcessHub) -> None:
    token = hub.store.add_lane(LANE)
    assert requests.get(hub.url + SIGNED_KEYS_PATH, timeout=10).status_code == 401
    assert requests.get(hub.url + lane_keys_path("TEST-IN-09"), timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).status_code == 401
