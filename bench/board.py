"""Control-room board: how long from a lane's status change to a board seeing it.

200 simulated lanes (registered at a real ``lanebox hub`` process, each with
its own sync token) report status from a pool of threads — a heartbeat every
5 s, as real lanes do — while a python-socketio client on ``/board`` (signed
in as a hub user) listens. Every so often one lane reports a change (a
device going ``disconnected``, stamped with the send time); the figure is
the time from just before that POST until the board receives the ``lane``
push for it. Target (docs/architecture.md): within 1 s at 200 lanes.

Run: ``.venv/bin/python bench/board.py [--lanes 200] [--changes 300]``.
"""

from __future__ import annotations

import argparse
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.clock import iso_utc  # noqa: E402
from tests.support.hub_rig import HubProcess  # noqa: E402

HEARTBEAT_S = 5.0


def status(lane: str, state: str, mark: float) -> dict:
    return {"lane": lane, "ts": iso_utc(time.time()), "devices": [
        {"id": "scale-1", "kind": "scale", "state": state, "detail": f"{mark:.6f}"},
        {"id": "trace-1", "kind": "trace", "state": "connected", "detail": ""}],
        "sync": {"backlog": 0}, "inspections": [], "alarms": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=200)
    parser.add_argument("--changes", type=int, default=300)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lanebox-board-bench-"))
    hub = HubProcess(root / "hub", offline_after_s=30)
    lanes = [f"BENCH-{i:03d}" for i in range(args.lanes)]
    print(f"registering {len(lanes)} lanes ...", flush=True)
    with ThreadPoolExecutor(8) as pool:
        tokens = dict(zip(lanes, pool.map(hub.add_lane, lanes)))
    url = f"http://127.0.0.1:{hub.start()}"
    board_token = hub.user_token()
    sessions = threading.local()

    def post(lane: str, body: dict) -> None:
        if not hasattr(sessions, "s"):
            sessions.s = requests.Session()
        response = sessions.s.post(f"{url}/api/v1/sync/{lane}/status", json=body, timeout=10,
                                   headers={"Authorization": f"Bearer {tokens[lane]}"})
        response.raise_for_status()

    heard: queue.Queue[tuple[float, dict]] = queue.Queue()
    board = socketio.Client(reconnection=False)
    board.on("lane", lambda row: heard.put((time.perf_counter(), row)), namespace="/board")
    board.connect(url, namespaces=["/board"], auth={"token": board_token}, transports=["websocket"])
    stopping = threading.Event()

    def heartbeats(share: list[str]) -> None:  # every lane, spread over the heartbeat
        while not stopping.is_set():
            for lane in share:
                if stopping.wait(HEARTBEAT_S / len(share)):
                    return
                post(lane, status(lane, "connected", 0.0))

    beaters = [threading.Thread(target=heartbeats, args=(lanes[i::8],), daemon=True)
               for i in range(8)]
    for thread in beaters:
        thread.start()
    time.sleep(HEARTBEAT_S)  # every lane heard once: the hub at its steady load
    latencies = []
    try:
        for n in range(args.changes):
            lane = random.choice(lanes)
            mark = time.perf_counter()
            post(lane, status(lane, "disconnected", mark))
            deadline = mark + 10
            while True:
                at, row = heard.get(timeout=max(0.01, deadline - time.perf_counter()))
                devices = (row.get("status") or {}).get("devices") or []
                if row["lane"] == lane and devices and devices[0]["detail"] == f"{mark:.6f}":
                    latencies.append(at - mark)
                    break
            time.sleep(random.uniform(0.01, 0.05))
    finally:
        stopping.set()
        board.disconnect()
        hub.stop()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    print(f"lanes: {args.lanes} (heartbeat every {HEARTBEAT_S:.0f} s each, "
          f"~{args.lanes / HEARTBEAT_S:.0f} status posts/s), changes measured: {len(ms)}")
    print(f"status change -> /board push: p50 {statistics.median(ms):.1f} ms, "
          f"p99 {ms[int(0.99 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms "
          f"(target: under 1000 ms)")


if __name__ == "__main__":
    main()
