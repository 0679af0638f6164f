"""Several hub workers on one PostgreSQL database, ingesting at the same time.

Each ``HubStore`` here is what one worker process holds: its own connection
pool on the shared database. They are driven from threads at once, as
nginx would spread a lane's retries and many lanes' batches over workers.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from common.eventlog.store import EventStore
from sync.hub.store import HubStore, prepare_batch
from tests.support.hub_rig import HUB_ID, assert_hub_holds_exactly, fill
from tests.support.services import new_postgres_database

BATCH = 100


def _all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run ``jobs`` on threads released together; their results (or errors)."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = jobs[index]()
        except Exception as exc:  # reported to the test, which fails on it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def _push_all(store: HubStore, lane: str, events: list[dict[str, Any]]) -> int:
    """Send every batch of the lane's log to one worker; how many it stored."""
    stored = 0
    for start in range(0, len(events), BATCH):
        result = store.ingest(lane, prepare_batch(lane, events[start:start + BATCH]))
        assert result.problem is None, result.problem
        stored += result.stored
    return stored


@pytest.mark.postgres
def test_two_workers_given_one_lanes_batches_at_once_store_each_event_once(
        tmp_path: Path) -> None:
    lane = "TEST-IN-01"
    with EventStore(tmp_path / "lane.sqlite3", lane) as lane_store:
        fill(lane_store, 2_000)
        events = lane_store.page(limit=5_000)
        for url in new_postgres_database():
            workers = [HubStore(url, HUB_ID).start() for _ in range(2)]
            try:
                workers[0].add_lane(lane)
                results = _all_at_once([lambda w=w: _push_all(w, lane, events) for w in workers])
                assert not [r for r in results if isinstance(r, Exception)], results
                assert sum(results) == 2_000  # every event stored by exactly one worker
                assert assert_hub_holds_exactly(workers[1], lane_store.path, lane) == 2_000
                assert workers[0].alarms() == []
            finally:
                for worker in workers:
                    worker.close()


@pytest.mark.postgres
def test_many_lanes_ingested_by_two_workers_at_once_each_keep_their_order(
        tmp_path: Path) -> None:
    lanes = [f"TEST-IN-{index:02d}" for index in range(6)]
    stores = {lane: EventStore(tmp_path / f"{lane}.sqlite3", lane).start() for lane in lanes}
    try:
        for store in stores.values():
            fill(store, 500)
        for url in new_postgres_database():
            workers = [HubStore(url, HUB_ID).start() for _ in range(2)]
            try:
                for lane in lanes:
                    workers[0].add_lane(lane)
                jobs = [lambda lane=lane, index=index: _push_all(
                            workers[index % 2], lane, stores[lane].page(limit=1_000))
                        for index, lane in enumerate(lanes)]
                results = _all_at_once(jobs)
                assert results == [500] * len(lanes)
                for lane, store in stores.items():
                    assert assert_hub_holds_exactly(workers[0], store.path, lane) == 500
            finally:
                for worker in workers:
                    worker.close()
    finally:
        for store in stores.values():
            store.close()
