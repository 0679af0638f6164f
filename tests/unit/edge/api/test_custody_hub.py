"""A custody alarm reaches the control room: a bag reweighed beyond the combined MPE at a real lane
(bench-1 on a pty) is a major ``custody_weight`` alarm on the hub's board, naming the bag, after real
HTTP sync and heard by a real /board Socket.IO client; a bag within the limit raises nothing."""

from __future__ import annotations

import requests

from sync.lane.agent import SyncAgent
from tests.support.custody_bench import calibrated_bench, received, sealed_bag
from tests.support.hub_rig import InProcessHub, board_alarms


def test_a_bag_reweighed_beyond_the_limit_is_a_custody_alarm_at_the_hub(hub: InProcessHub, tmp_path) -> None:
    board, heard = board_alarms(hub)
    (tmp_path / "lane").mkdir()
    with calibrated_bench(tmp_path / "lane") as bench:
        within, beyond = sealed_bag(bench, 5.0), sealed_bag(bench, 5.0)
        received(bench, within, 4.98)
        last = received(bench, beyond, 5.3)
        lane = bench.server.config.lane_id
        agent = SyncAgent(bench.server.store, lane, hub.url, hub.store.add_lane(lane)).start()
        try:
            alarm = heard.get(timeout=15)  # the first heard: a false alarm for the bag within would come first
        finally:
            agent.stop()
            board.disconnect()
    assert alarm["kind"] == "custody_weight" and alarm["severity"] == "major" and alarm["lane"] == lane
    assert alarm["detail"]["message"].startswith(f"{beyond}: the bag weighs 5.3 kg at receipt, 0.3 kg heavier")
    active = requests.get(f"{hub.url}/api/v1/hub/alarms?state=active", timeout=10,
                          headers={"Authorization": f"Bearer {hub.user_token()}"}).json()["alarms"]
    assert [(a["kind"], a["detail"]["event_id"]) for a in active] == [("custody_weight", last["id"])]
