"""A lane in its own process: appends events one by one (each durable, each
followed by ``wake``) while its agent pushes them — there to be killed -9.

    python -m tests.support.lane_pusher STORE URL TOKEN TOTAL

Appends until the log holds TOTAL events (so a restart goes on where the
killed one stopped), prints ``drained`` once the hub has acked them all, exits 0.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from common.eventlog.store import EventStore
from sync.lane.agent import SyncAgent
from tests.support.hub_rig import LANE

PACE_S = 0.002
"""A pause between appends, so pushing keeps up with appending and a kill
lands while both are going on."""


def main(store_path: str, url: str, token: str, total: str) -> int:
    with EventStore(Path(store_path), LANE) as store:
        agent = SyncAgent(store, LANE, url, token, batch_size=25, backoff_base=0.01,
                          backoff_max=0.1, timeout=(2.0, 5.0)).start()
        while (seq := store.last_seq()) < int(total):
            store.append("test.event", {"n": seq + 1, "note": "pushed while appending"},
                         "pusher")
            agent.wake()
            time.sleep(PACE_S)
        deadline = time.monotonic() + 60
        while agent.status()["backlog"] and time.monotonic() < deadline:
            time.sleep(0.01)
        agent.stop()
        if agent.status()["backlog"]:
            return 1
    print("drained", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
