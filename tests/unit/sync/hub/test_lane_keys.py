"""Lane label keys at the hub: a lane's status registers the keys it signs evidence labels with, the
hub serves the port's keys to its users (tablets, boards, verifiers), and a lane cannot register a
key for another lane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from edge.labels.keys import open_signer
from edge.store import lane_store_path, open_lane_store
from sync.labels import parse_keys
from sync.lane.status_reporter import StatusReporter
from tests.support.hub_rig import LANE, InProcessHub


def hub_keys(hub: InProcessHub) -> dict[str, Any]:
    response = requests.get(f"{hub.url}/api/v1/hub/lane-keys", timeout=10,
                            headers={"Authorization": f"Bearer {hub.user_token()}"})
    assert response.status_code == 200
    return response.json()


def test_a_lanes_status_registers_its_label_keys_at_the_hub(hub: InProcessHub, tmp_path: Path) -> None:
    token = hub.store.add_lane(LANE)
    with open_lane_store(lane_store_path(tmp_path), LANE) as store:
        signer = open_signer(tmp_path, store, LANE)
        reporter = StatusReporter(store, LANE, hub.url, token, devices=list,
                                  label_keys=lambda: [k.as_dict() for k in signer.keys])
        try:
            assert reporter.send()
        finally:
            reporter.stop()
    keys = parse_keys(hub_keys(hub))
    assert [(k.lane, k.key, k.since_seq) for k in keys] == [(LANE, signer.public_text, signer.keys[0].since_seq)]


def test_a_lane_cannot_register_a_key_for_another_lane(hub: InProcessHub) -> None:
    token = hub.store.add_lane(LANE)
    other = {"lane": "TEST-IN-09", "key": "ed25519:" + "A" * 43 + "=", "kid": "x", "since": None,
             "since_seq": None}
    response = requests.post(f"{hub.url}/api/v1/sync/{LANE}/status", timeout=10,
                             headers={"Authorization": f"Bearer {token}"},
                             json={"lane": LANE, "ts": "2026-03-02T10:00:00.000Z", "devices": [],
                                   "label_keys": [other]})
    assert response.status_code == 400 and response.json()["error"]["field"] == "label_keys.0.lane"
    assert hub_keys(hub)["keys"] == []
