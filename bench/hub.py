"""The hub at port scale: ingest rate on each engine, and board fan-out across workers.

1. **Ingest** — ``--lanes`` lanes, each with a backlog of ``--events``
   events, push at once (one :class:`~sync.lane.agent.SyncAgent` each, as
   ``lanebox serve`` runs it) to a fresh ``lanebox hub`` process, first on
   its embedded SQLite store, then on PostgreSQL. Prints events/s until the
   last lane's backlog is acknowledged (every ack is durable), then checks
   the hub holds exactly each lane's events.
2. **Fan-out** — two hub worker processes sharing PostgreSQL and Redis; a
   board (python-socketio client) connected to worker B while lanes report
   status to worker A. Prints the latency from a lane sending its report
   to A to the ``lane`` push arriving through B, p50/p99.

Needs PostgreSQL and Redis on 127.0.0.1 (as the tests do).

    .venv/bin/python bench/hub.py [--lanes 8] [--events 5000] [--reports 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from common.eventlog.store import EventStore  # noqa: E402
from sync.lane.agent import SyncAgent  # noqa: E402
from tests.support.hub_rig import HubProcess, assert_hub_holds_exactly, fill  # noqa: E402
from tests.support.hub_workers import BOARD_PASSWORD, BOARD_USER, HubWorkers, board_client  # noqa: E402
from tests.support.services import new_postgres_database, require_redis  # noqa: E402


def ingest(root: Path, database: str | None, lanes: int, events: int) -> float:
    """Events/s with ``lanes`` lanes pushing ``events`` each to one hub process."""
    hub = HubProcess(root / "hub", database=database)
    names = [f"BENCH-{index:03d}" for index in range(lanes)]
    tokens = {lane: hub.add_lane(lane) for lane in names}
    port = hub.start()
    stores = []
    try:
        for lane in names:
            store = EventStore(root / lane / "lane.sqlite3", lane).start()
            fill(store, events, chunk=10_000)
            stores.append(store)
        agents = [SyncAgent(store, store.lane, f"http://127.0.0.1:{port}", tokens[store.lane])
                  for store in stores]
        started = time.perf_counter()
        for agent in agents:
            agent.start()
        while any(agent.status()["backlog"] for agent in agents):
            time.sleep(0.01)
        took = time.perf_counter() - started
        for agent in agents:
            agent.stop()
        for store in stores:
            assert_hub_holds_exactly(hub.store, store.path, store.lane)
        return lanes * events / took
    finally:
        for store in stores:
            store.close()
        hub.stop()


def fan_out(root: Path, database: str, redis_url: str, reports: int) -> list[float]:
    """Milliseconds from a lane sending a status report to worker A to its push
    reaching a board on worker B (through Redis)."""
    workers = HubWorkers(root, database, redis_url, count=2)
    token = workers.add_lane("BENCH-LANE")
    workers.add_user(BOARD_USER, "supervisor", BOARD_PASSWORD)
    workers.start()
    try:
        arrived: dict[str, float] = {}
        got = threading.Condition()

        def on_lane(row: dict) -> None:
            status = row.get("status") or {}
            with got:
                arrived.setdefault(status.get("ts", ""), time.perf_counter())
                got.notify_all()

        client = board_client(workers.urls[1], on_lane)
        try:
            latencies = []
            for index in range(reports):
                ts = f"2026-01-01T00:00:{index // 1000:02d}.{index % 1000:03d}Z"
                body = {"lane": "BENCH-LANE", "ts": ts,
                        "devices": [{"id": "trace-1", "state": "connected",
                                     "detail": f"report {index}"}]}
                sent = time.perf_counter()
                requests.post(f"{workers.urls[0]}/api/v1/sync/BENCH-LANE/status", json=body,
                              headers={"Authorization": f"Bearer {token}"},
                              timeout=10).raise_for_status()
                with got:
                    if not got.wait_for(lambda: ts in arrived, timeout=5):
                        raise SystemExit(f"report {index} never reached the board on worker B")
                latencies.append((arrived[ts] - sent) * 1000)
            return latencies
        finally:
            client.disconnect()
    finally:
        workers.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=8, help="lanes pushing at once")
    parser.add_argument("--events", type=int, default=5000, help="backlog per lane")
    parser.add_argument("--reports", type=int, default=300, help="status reports for fan-out")
    args = parser.parse_args()
    redis_url = require_redis()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        total = args.lanes * args.events
        rate = ingest(root / "sqlite", None, args.lanes, args.events)
        print(f"ingest sqlite:     {rate:8.0f} events/s ({args.lanes} lanes x {args.events}, "
              f"{total} events, each lane's copy verified)")
        for database in new_postgres_database():
            rate = ingest(root / "pg", database, args.lanes, args.events)
            print(f"ingest postgresql: {rate:8.0f} events/s ({args.lanes} lanes x {args.events}, "
                  f"{total} events, each lane's copy verified)")
        for database in new_postgres_database():
            latencies = sorted(fan_out(root / "workers", database, redis_url, args.reports))
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"fan-out A->Redis->B: p50 {statistics.median(latencies):6.1f} ms, "
                  f"p99 {p99:6.1f} ms, max {latencies[-1]:6.1f} ms ({len(latencies)} reports, "
                  f"lane sends to worker A -> board on worker B has it)")


if __name__ == "__main__":
    main()
