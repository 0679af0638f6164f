"""What verifying a lane's store costs: the chain alone, and the chain with
every derived table compared with a replay of it (what ``lanebox verify``,
the reports and the lane's own periodic check do).

The lane re-verifies its store while it runs and reports the result to its
hub (docs/sync-protocol.md); this figure is what one such check costs, and so
how often a lane of this size can afford it.

    .venv/bin/python bench/verify.py [--events 100000] [--dir PATH]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.eventlog.store import EventStore, verify_file  # noqa: E402
from edge.projections import LANE_VIEWS  # noqa: E402
from edge.store import open_lane_store  # noqa: E402

CHUNK = 5000


def fill(store: EventStore, events: int) -> None:
    """A lane's mix: each inspection is started, read at, noted on and closed;
    one in ten leads to a seizure with a bag and two custody steps."""

    def story(conn: sqlite3.Connection, n: int) -> int:
        inspection = str(uuid.uuid4())
        store.append_in(conn, "inspection.started", {"inspection_id": inspection, "plate": f"KHN {n}"}, "olga")
        store.append_in(conn, "reading.attached", {"inspection_id": inspection, "device_id": "scale-1",
                                                   "reading": {"weight": 18234.5, "unit": "kg"}}, "olga")
        store.append_in(conn, "inspection.finding", {"inspection_id": inspection, "note": "x" * 80}, "olga")
        store.append_in(conn, "inspection.closed", {"inspection_id": inspection, "outcome": "released"}, "olga")
        if n % 10:
            return 4
        seizure, bag = str(uuid.uuid4()), f"BAG-{n:08x}"
        store.append_in(conn, "seizure.created", {"seizure_id": seizure, "inspection_id": inspection}, "olga")
        store.append_in(conn, "seizure.bag_added", {"seizure_id": seizure, "bag_id": bag}, "olga")
        for action in ("sealed", "handed_over"):
            store.append_in(conn, "seizure.custody", {"seizure_id": seizure, "bag_id": bag, "action": action},
                            "olga")
        return 8

    written = 0
    while written < events:
        def chunk(conn: sqlite3.Connection, start: int = written) -> int:
            done = 0
            while done < CHUNK and start + done < events:
                done += story(conn, start + done)
            return done

        written += store.run_write(chunk)


def timed(path: Path, views: object) -> tuple[float, object]:
    started = time.perf_counter()
    report = verify_file(path, views) if views else verify_file(path)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the store")
    parser.add_argument("--dir", type=Path, help="folder for the store (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "lane.sqlite3"
        with open_lane_store(path, "BENCH-01") as store:
            fill(store, args.events)
        chain_s, chain = timed(path, None)
        whole_s, whole = timed(path, LANE_VIEWS)
        print(f"chain alone:           {chain_s:6.2f} s ({chain.checked} events, ok={chain.ok})")
        print(f"chain + derived tables: {whole_s:6.2f} s ({whole.checked} events, ok={whole.ok})")
    print("the lane's periodic check spends at most a tenth of its time verifying (docs/sync-protocol.md)")


if __name__ == "__main__":
    main()
