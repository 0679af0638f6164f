"""Another lane of the port, as far as labels go: its real label key (key file and
``lane.key_created``), registered at a hub by its status reporter, and a label it sealed."""

from __future__ import annotations

from pathlib import Path

from edge.labels.keys import LaneSigner, open_signer
from edge.store import lane_store_path, open_lane_store
from sync.lane.status_reporter import StatusReporter
from tests.support.hub_rig import InProcessHub

OTHER = "TEST-OUT-02"
SEALED = {"bag": "BAG-5E1A0C2D", "seal": "GB 114220", "kg": "4.310", "scale": "bench-2", "cal": "cal-77",
          "cal_due": False, "seq": 812, "hash": "3f" * 32, "at": "2026-11-29T09:14:03.120Z"}
"""What the other lane's label of a sealed bag says (all but its lane and key id)."""


def register_other_lane(hub: InProcessHub, folder: Path, lane: str = OTHER) -> LaneSigner:
    """``lane``'s signer, its key registered at ``hub`` as the lane's status reports it."""
    with open_lane_store(lane_store_path(folder), lane) as store:
        signer = open_signer(folder, store, lane)
        reporter = StatusReporter(store, lane, hub.url, hub.store.add_lane(lane), devices=list,
                                  label_keys=lambda: [k.as_dict() for k in signer.keys])
        try:
            assert reporter.send()
        finally:
            reporter.stop()
    return signer
