"""A running lane with no hub URL finds its hub by mDNS and follows it."""

from __future__ import annotations

import requests

from tests.support.hub_rig import LANE, HubProcess, assert_hub_holds_exactly, lane_with_upstream
from tests.support.waiting import wait_for


def test_a_lane_with_no_url_finds_the_hub_by_mdns_and_follows_it_to_a_new_address(tmp_path):
    hub = HubProcess(tmp_path / "hub")
    token = hub.add_lane(LANE)
    rig = lane_with_upstream(tmp_path / "lane", token=token, hub_key=hub.hub_key())  # no url
    rig.add_users()
    try:
        rig.start()  # before the hub: nothing to find yet
        status = wait_for(lambda: (s := rig.api("GET", "/sync", user="sue").json())["state"] == "discovering"
                          and s, timeout=10, message="the lane looking for its hub")
        assert status["upstream"] == {"source": "mdns", "url": None}
        first_url = f"http://127.0.0.1:{hub.start()}"
        wait_for(lambda: rig.api("GET", "/sync", user="sue").json()["backlog"] == 0, timeout=30,
                 message="the lane's log at the discovered hub")
        status = rig.api("GET", "/sync", user="sue").json()
        assert status["upstream"] == {"source": "mdns", "url": first_url}
        metrics = requests.get(f"{rig.url}/metrics", timeout=5).text
        assert f'lanebox_upstream_info{{source="mdns",url="{first_url}"}} 1.0' in metrics
        assert_hub_holds_exactly(hub.store.start(), rig.root / "data" / "lane.sqlite3")
        hub.store.close()

        hub.stop()
        second_url = f"http://127.0.0.1:{hub.start()}"  # port 0: the hub comes back elsewhere
        assert second_url != first_url
        rig.sign_in("olga")  # a new event (user.login) to send
        wait_for(lambda: (s := rig.api("GET", "/sync", user="sue").json())["upstream"]["url"] == second_url
                 and s["backlog"] == 0, timeout=30, message="the lane following its hub")
        assert_hub_holds_exactly(hub.store.start(), rig.root / "data" / "lane.sqlite3")
    finally:
        hub.store.close()
        rig.close()
        hub.stop()
