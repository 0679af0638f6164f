"""The lane's label key: made once at first start, owner-only, recorded as lane.key_created (only its
public half), served by the lane; a key changed in the folder is recorded again, a damaged one stops
the lane rather than let it sign with another."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from common.eventlog.store import EventStore
from edge.labels.keys import KEY_CREATED, KeyFileError, LaneSigner, key_path, open_signer
from edge.store import lane_store_path, open_lane_store
from sync.labels import parse_keys
from tests.support.officer_app import OfficerApp

LANE = "TEST-IN-02"


def start(data_dir: Path) -> tuple[EventStore, LaneSigner]:
    store = open_lane_store(lane_store_path(data_dir), LANE).start()
    return store, open_signer(data_dir, store, LANE)


def key_events(store: EventStore) -> list[dict[str, Any]]:
    return list(store.replay([KEY_CREATED]))


def test_the_key_is_made_once_owner_only_and_recorded_without_its_secret(tmp_path: Path) -> None:
    store, signer = start(tmp_path)
    try:
        assert stat.S_IMODE(key_path(tmp_path).stat().st_mode) == 0o600
        secret = key_path(tmp_path).read_text().strip()
        [event] = key_events(store)
        assert event["payload"]["key"] == signer.public_text and event["payload"]["replaces"] is None
        assert secret not in json.dumps(store.page(limit=1000))
        assert signer.keys[0].since == event["ts"] and signer.keys[0].since_seq == event["seq"]
    finally:
        store.close()
    store, again = start(tmp_path)  # a restart keeps the key and records nothing new
    try:
        assert again.public_text == signer.public_text and len(key_events(store)) == 1
    finally:
        store.close()


def test_a_new_key_is_recorded_as_replacing_the_old_and_both_stay_known(tmp_path: Path) -> None:
    store, old = start(tmp_path)
    store.close()
    key_path(tmp_path).unlink()  # the technician's rotation (docs/security.md)
    store, new = start(tmp_path)
    try:
        assert new.public_text != old.public_text
        assert [e["payload"]["replaces"] for e in key_events(store)] == [None, old.kid]
        assert [k.key for k in new.keys] == [old.public_text, new.public_text]
    finally:
        store.close()


def test_a_key_file_loosened_by_hand_is_made_owner_only_again(tmp_path: Path) -> None:
    store, _ = start(tmp_path)
    store.close()
    key_path(tmp_path).chmod(0o644)
    store, _ = start(tmp_path)
    store.close()
    assert stat.S_IMODE(key_path(tmp_path).stat().st_mode) == 0o600


@pytest.mark.parametrize("content", ["not base64 at all!", "AAAA"])
def test_a_damaged_key_file_stops_the_lane_and_records_nothing(tmp_path: Path, content: str) -> None:
    store = open_lane_store(lane_store_path(tmp_path), LANE).start()
    try:
        key_path(tmp_path).write_text(content)
        with pytest.raises(KeyFileError, match="not a lanebox label key"):
            open_signer(tmp_path, store, LANE)
        assert key_events(store) == []
    finally:
        store.close()


def test_the_lane_serves_its_public_keys(officer_app: OfficerApp) -> None:
    response = officer_app.call("GET", "/lane/keys")
    assert response.status_code == 200
    body = response.get_json()
    signer = officer_app.server.label_signer
    assert body["lane"] == LANE and body["current"] == signer.kid
    assert [k.key for k in parse_keys(body)] == [signer.public_text]
