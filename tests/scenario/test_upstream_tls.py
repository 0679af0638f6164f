"""A running lane syncs to a hub whose certificate the port's CA signed."""

from __future__ import annotations

from pathlib import Path

from tests.support.hub_rig import LANE, HubProcess, assert_hub_holds_exactly, lane_with_upstream
from tests.support.waiting import wait_for


def test_a_lane_syncs_to_a_hub_signed_by_the_ports_ca(tmp_path: Path, port_ca) -> None:
    ca, _context = port_ca
    hub = HubProcess(tmp_path / "hub", extra=f'tls_cert = "{tmp_path / "hub.crt"}"\n'
                                             f'tls_key = "{tmp_path / "hub.key"}"\n')
    token = hub.add_lane(LANE)
    url = f"https://127.0.0.1:{hub.start()}"  # `lanebox hub` with [hub] tls_cert/tls_key
    rig = lane_with_upstream(tmp_path / "lane", url=url, token=token, ca_file=str(ca))
    rig.add_users()
    try:
        assert any(f"serving on {url}" in line for line in hub.output)
        rig.start()
        wait_for(lambda: rig.api("GET", "/sync", user="sue").json()["backlog"] == 0, timeout=20,
                 message="the lane's log at the HTTPS hub")
        assert rig.api("GET", "/sync", user="sue").json()["upstream"] == {"source": "config", "url": url}
        rig.stop()
        assert_hub_holds_exactly(hub.store, rig.root / "data" / "lane.sqlite3")
    finally:
        rig.close()
        hub.stop()


