"""Durable event throughput of the evidence store.

Every append waits for its own durable commit (WAL, synchronous=FULL), as an
API request does. One writer alone pays one fsync per event; concurrent
writers share commits through the writer thread's group commit, which is
where the target of docs/architecture.md (2,000 durable events/s) is measured.

    .venv/bin/python bench/store.py [--events 20000] [--writers 8] [--dir PATH]

Use ``--dir`` on the box's real data disk: fsync cost is the whole story.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.eventlog.store import EventStore  # noqa: E402

PAYLOAD = {"inspection_id": "I-20250131-0042", "device_id": "scale-1",
           "reading": {"weight": 18234.5, "unit": "kg", "stable": True, "tare": None,
                       "status": "ok"},
           "calibration": {"state": "ok", "due_at": "2025-07-31T00:00:00.000Z"},
           "raw": "S S    18234.5 kg", "note": "axle group 2 of 3, trailer GB-4471"}


def run(store: EventStore, events: int, writers: int) -> float:
    """Append ``events`` spread over ``writers`` threads; events per second."""
    per_writer = events // writers

    def write(writer: int) -> None:
        for n in range(per_writer):
            store.append("inspection.updated", {**PAYLOAD, "writer": writer, "n": n}, "bench")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_writer * writers / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per run")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers")
    parser.add_argument("--dir", type=Path, help="folder for the store (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "bench.sqlite3"
        with EventStore(path, "BENCH-01") as store:
            single = run(store, args.events, 1)
            print(f"1 writer:  {single:8.0f} durable events/s ({args.events} events)")
            many = run(store, args.events, args.writers)
            print(f"{args.writers} writers: {many:8.0f} durable events/s ({args.events} events)")
            started = time.perf_counter()
            report = store.verify()
            took = time.perf_counter() - started
            print(f"verify:    {report.checked / took:8.0f} events/s "
                  f"({report.checked} events, ok={report.ok})")
            size = store.size_bytes()
            print(f"file size: {size / 2**20:8.1f} MiB db+wal "
                  f"({size / report.checked:.0f} bytes/event incl. views)")
    print("target: 2,000 durable events/s (docs/architecture.md)")


if __name__ == "__main__":
    main()
