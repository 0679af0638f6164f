"""A hub on HTTPS with a certificate from the port's private CA: the lane
trusts it through ``[upstream] ca_file``, and nothing else."""

from __future__ import annotations

from pathlib import Path

from common.eventlog.store import EventStore
from sync.lane.agent import SyncAgent
from sync.lane.upstream import Upstream
from tests.support.hub_rig import LANE, InProcessHub, fill
from tests.support.waiting import wait_for


def test_without_the_ca_the_hub_is_not_trusted(tmp_path: Path, port_ca, lane_store: EventStore) -> None:
    ca, context = port_ca
    hub = InProcessHub(tmp_path / "hub", ssl_context=context)
    token = hub.store.add_lane(LANE)
    fill(lane_store, 3)
    untrusting = SyncAgent(lane_store, LANE, hub.url, token, backoff_base=0.05, backoff_max=0.2).start()
    try:
        status = wait_for(lambda: (s := untrusting.status())["last_error"] and s, timeout=10,
                          message="a refused certificate")
        assert "CERTIFICATE_VERIFY_FAILED" in status["last_error"]["message"] and status["backlog"] == 3
        assert hub.store.cursor(LANE) == 0
    finally:
        untrusting.stop()
    trusting = SyncAgent(lane_store, LANE, Upstream(hub.url, verify=str(ca)), token).start()
    try:
        wait_for(lambda: trusting.status()["backlog"] == 0, timeout=10, message="sent once the CA is trusted")
    finally:
        trusting.stop()
        hub.close()
