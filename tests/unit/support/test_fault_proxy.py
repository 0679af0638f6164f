"""The fault proxy does what the acceptance tests count on: each fault
reaches the hub (or fails to) exactly as its name says."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sync.hub.store import IngestResult
from sync.protocol import events_path
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.hub_rig import LANE, fill
from tests.support.waiting import wait_for


@pytest.fixture
def rig(hub, lane_store):
    """The hub counting its ingests, a proxy in front, a batch to send."""
    token = hub.store.add_lane(LANE)
    fill(lane_store, 40)
    ingested: list[IngestResult] = []
    ingest = hub.store.ingest
    hub.store.ingest = lambda lane, batch: ingested.append(ingest(lane, batch)) or ingested[-1]
    proxy = FaultProxy(hub.port).start()
    yield proxy, ingested, lambda: requests.post(
        proxy.url + events_path(LANE), json={"events": lane_store.page(limit=40)}, timeout=5,
        headers={"Authorization": f"Bearer {token}"})
    proxy.close()


def test_a_clean_connection_passes_and_a_delayed_one_is_slow_but_whole(rig: Any):
    proxy, ingested, send = rig
    assert send().json()["ack"] == 40
    proxy.plan = lambda _index: Fault(delay=0.05)
    assert send().elapsed.total_seconds() >= 0.05
    assert [r.stored for r in ingested] == [40, 0]


def test_a_replayed_request_reaches_the_hub_twice(rig: Any):
    proxy, ingested, send = rig
    proxy.plan = lambda _index: Fault(duplicate=True)
    assert send().json()["ack"] == 40  # the replay may win the race: same answer
    wait_for(lambda: len(ingested) == 2, message="the replay")
    assert sorted(r.duplicates for r in ingested) == [0, 40]


@pytest.mark.parametrize("reset", [False, True])
def test_a_lost_answer_leaves_the_batch_stored(rig: Any, reset: bool):
    proxy, ingested, send = rig
    proxy.plan = lambda _index: Fault(cut_response_after=0, reset=reset)
    with pytest.raises(requests.ConnectionError):
        send()
    assert [r.stored for r in ingested] == [40]


@pytest.mark.parametrize("reset", [False, True])
def test_a_request_cut_midway_stores_nothing(rig: Any, reset: bool):
    proxy, ingested, send = rig
    proxy.plan = lambda _index: Fault(cut_request_after=500, reset=reset)
    with pytest.raises(requests.ConnectionError, match="reset" if reset else "aborted"):
        send()
    assert ingested == []
