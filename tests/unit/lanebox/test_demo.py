"""The demo's lane stores: the hub's users as its roster gives them, and the
demo reference data (kept once newer data is loaded)."""

from __future__ import annotations

import json

from common.accounts.passwords import PasswordHashing
from common.eventlog.store import EventStore
from common.reference import parse_reference, store_reference
from edge.config import parse_config
from edge.store import open_lane_store
from edge.users import UserDirectory
from lanebox.demo import DEMO_LANE, DEMO_REFERENCE, DEMO_USERS, ensure_demo_reference, prepare_demo_store
from sync.roster import parse_roster
from tests.support.stores import stored_references

DEMO = json.loads(DEMO_REFERENCE.read_text())


def test_the_demo_store_has_the_hubs_users_and_the_demo_reference(tmp_path):
    hashing = PasswordHashing()
    roster = parse_roster({"users": [{"username": username, "role": role, "disabled": False,
                                      "password_hash": hashing.hash(password)}
                                     for username, role, password in DEMO_USERS]})
    config = parse_config({"lane": {"id": DEMO_LANE}, "server": {"data_dir": str(tmp_path / "data")}})
    prepare_demo_store(config, roster)
    prepare_demo_store(config, roster)  # a second demo start changes nothing
    assert stored_references(tmp_path) == ["demo-2026.1"]
    with open_lane_store(tmp_path / "data" / "lane.sqlite3", DEMO_LANE) as store:  # the lane's own kind of store
        user_events = [(e["type"], e["actor"]) for e in store.page(limit=100) if e["type"].startswith("user.")]
        assert user_events == [("user.added", "hub-roster")] * len(DEMO_USERS)
        for username, role, password in DEMO_USERS:  # the printed passwords work
            assert UserDirectory(store).authenticate(username, password, "test").role == role


def test_the_demo_keeps_reference_data_loaded_since(tmp_path):
    with EventStore(tmp_path / "data" / "lane.sqlite3", lane=DEMO_LANE) as store:
        ensure_demo_reference(store)
        ensure_demo_reference(store)
        store_reference(store, parse_reference({**DEMO, "version": "port-2026.2"}, "test"), actor="test")
        ensure_demo_reference(store)
    assert stored_references(tmp_path) == ["demo-2026.1", "port-2026.2"]
