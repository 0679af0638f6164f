"""The hub countersigns each lane's chain head (with a token from the test's own TSA over real HTTP)
and the lane keeps it: a real sync agent pushing a real lane store to a hub on 127.0.0.1, on SQLite
and PostgreSQL. Not more often than the interval unless a supervisor asks; a TSA that is away costs
the token, never the ack; the lane keeps nothing signed by another key or about another chain, and
keeps what it takes beside its log (which does not grow by it)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from common.bundle_verify import countersign_message, public_key
from common.config import ConfigError
from common.eventlog.store import EventStore
from common.timestamp_token import imprint_of, verify_token
from sync.hub.config import parse_hub_config
from sync.hub.countersign import CountersignSettings
from sync.hub.identity import HubIdentity
from sync.identity import signed_by
from sync.lane.agent import SyncAgent
from sync.lane.checkpoints import keep_checkpoint, kept_checkpoints
from tests.support.hub_rig import LANE, InProcessHub, fill
from tests.support.tsa import LocalTsa
from tests.support.waiting import wait_for


@pytest.fixture
def tsa() -> Iterator[LocalTsa]:
    running = LocalTsa().start()
    yield running
    running.stop()


def synced(hub: InProcessHub, store: EventStore) -> SyncAgent:
    agent = SyncAgent(store, LANE, hub.upstream(), hub.store.add_lane(LANE), poll_interval=0.2)
    agent.start()
    return agent


def kept(store: EventStore) -> list[dict[str, Any]]:
    return kept_checkpoints(store, store.last_seq())


def first_kept(hub: InProcessHub, store: EventStore, tsa: LocalTsa, events: int) -> dict[str, Any]:
    """``events`` synced by a real agent to the hub (time-stamping with ``tsa``); the first checkpoint kept."""
    hub.hub.countersigner.settings = CountersignSettings(tsa_url=tsa.url)
    fill(store, events)
    agent = synced(hub, store)
    try:
        wait_for(lambda: kept(store), timeout=20, message="a countersignature kept at the lane")
    finally:
        agent.stop()
    return kept(store)[0]


def test_the_lane_keeps_the_hubs_countersignature_with_the_tsas_token(hub: InProcessHub, lane_store: EventStore,
                                                                       tsa: LocalTsa) -> None:
    checkpoint = first_kept(hub, lane_store, tsa, 30)
    assert checkpoint["seq"] == 30 and checkpoint["hash"] == lane_store.get_seq(30)["hash"]
    assert checkpoint["hub_key"] == hub.hub_key
    assert signed_by(public_key(hub.hub_key), countersign_message(checkpoint), checkpoint["signature"])
    proof = verify_token(base64.b64decode(checkpoint["timestamp"]), imprint_of(checkpoint["hash"]))
    assert proof.tsa_subject == "CN=lanebox test TSA" and tsa.imprints == [imprint_of(checkpoint["hash"])]
    assert hub.hub.countersigner.latest(LANE) == checkpoint  # the hub keeps what it signed


def test_not_more_often_than_the_interval_unless_a_supervisor_asks(hub: InProcessHub, lane_store: EventStore) -> None:
    fill(lane_store, 5)
    agent = synced(hub, lane_store)
    try:
        wait_for(lambda: kept(lane_store), timeout=20, message="the first countersignature")
        fill(lane_store, 5)
        wait_for(lambda: hub.store.cursor(LANE) == lane_store.last_seq(), timeout=20, message="more events synced")
        assert [c["seq"] for c in kept(lane_store)] == [5]  # within the hour: no new one
        url = f"{hub.url}/api/v1/hub/lanes/{LANE}/countersign"
        viewer = requests.post(url, headers={"Authorization": f"Bearer {hub.user_token('vera')}"}, timeout=10)
        assert viewer.status_code == 403
        asked = requests.post(url, headers={"Authorization": f"Bearer {hub.user_token('carol')}"}, timeout=10)
        assert asked.status_code == 201 and asked.json()["checkpoint"]["seq"] == hub.store.cursor(LANE)
        fill(lane_store, 1)  # the next batch brings it down
        wait_for(lambda: len(kept(lane_store)) == 2, timeout=20, message="the supervisor's countersignature kept")
    finally:
        agent.stop()
    unknown = requests.post(f"{hub.url}/api/v1/hub/lanes/NOPE-1/countersign", timeout=10,
                            headers={"Authorization": f"Bearer {hub.user_token('carol')}"})
    assert unknown.status_code == 404


def test_a_tsa_that_is_away_costs_the_token_not_the_ack(hub: InProcessHub, lane_store: EventStore,
                                                         tsa: LocalTsa) -> None:
    tsa.mode = "rejection"
    assert first_kept(hub, lane_store, tsa, 8)["timestamp"] is None and tsa.imprints
    assert hub.store.cursor(LANE) >= 8


def test_the_lane_keeps_nothing_signed_by_another_key_or_about_another_chain(hub: InProcessHub,
                                                                              lane_store: EventStore) -> None:
    fill(lane_store, 3)
    hub.store.add_lane(LANE)
    head = lane_store.get_seq(3)
    identity = HubIdentity.of(hub.store)
    genuine = {"lane": LANE, "seq": 3, "hash": head["hash"], "at": "2026-11-29T10:00:00.000Z",
               "hub_key": identity.public_text, "timestamp": None}
    genuine["signature"] = identity.countersign(genuine)
    before = lane_store.last_seq()
    other_hash = {**genuine, "hash": "0" * 64}
    other_hash["signature"] = identity.countersign(other_hash)
    for refused in ({**genuine, "seq": 2},  # the signature is over seq 3
                    other_hash,  # signed, but not this chain
                    {**genuine, "lane": "OTHER-1"}):
        assert not keep_checkpoint(lane_store, LANE, refused, identity.public_text)
    assert not keep_checkpoint(lane_store, LANE, genuine, "ed25519:" + base64.b64encode(b"k" * 32).decode())
    assert kept(lane_store) == []
    assert keep_checkpoint(lane_store, LANE, genuine, identity.public_text)
    assert not keep_checkpoint(lane_store, LANE, genuine, identity.public_text)  # once
    assert kept(lane_store) == [genuine]
    assert lane_store.last_seq() == before  # kept beside the log: the chain does not grow on the hub's schedule


@pytest.mark.parametrize(("tables", "problem"), [
    ({"timestamping": {"url": "ftp://tsa.port"}}, "timestamping.url"),
    ({"timestamping": {"url": "http://tsa.port", "timeout_s": 0}}, "timestamping.timeout_s"),
    ({"countersign": {"interval_s": 1}}, "countersign.interval_s"),
    ({"countersign": {"every": 60}}, "countersign.every")])
def test_a_bad_countersign_or_timestamping_setting_is_named(tmp_path, tables: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_hub_config({"hub": {"id": "HUB-1", "data_dir": str(tmp_path)}, **tables})
    good = parse_hub_config({"hub": {"id": "HUB-1", "data_dir": str(tmp_path)},
                             "timestamping": {"url": "https://tsa.port/rfc3161"}, "countersign": {"interval_s": 900}})
    assert good.countersign == CountersignSettings(900.0, "https://tsa.port/rfc3161", 10.0)
