"""The evidence store survives kill -9: nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from common.eventlog.store import EventStore

LANE = "GBDVR-IN-03"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


CHILD = """
import sys, threading, uuid
from common.eventlog.store import EventStore
store = EventStore(sys.argv[1], "GBDVR-IN-03").start()
lock = threading.Lock()
def say(*words):
    with lock:
        print(*words, flush=True)
def loop(writer):
    n = 0
    while True:
        event_id = str(uuid.uuid4())
        say("SEND", event_id, writer, n)
        store.append("load.test", {"writer": writer, "n": n}, "child", id=event_id)
        say("ACK", event_id, writer, n)
        n += 1
for writer in range(4):
    threading.Thread(target=loop, args=(writer,), daemon=True).start()
threading.Event().wait()
"""


def test_kill_9_loses_nothing_acknowledged(db_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path)], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    lines: list[str] = []
    while sum(line.startswith("ACK") for line in lines) < 600:
        line = child.stdout.readline()
        assert line, "the writer died before it was killed"
        lines.append(line)
    os.kill(child.pid, signal.SIGKILL)
    lines += child.stdout.read().splitlines(keepends=True)
    child.wait()
    records = [line.split() for line in lines if line.endswith("\n")]
    acked = [r for r in records if r[0] == "ACK"]
    last_sent = {r[2]: r for r in records if r[0] == "SEND"}  # per writer, maybe unacked

    with EventStore(db_path, LANE) as store:
        assert all(store.get(r[1]) is not None for r in acked)
        assert store.verify().ok
        count = store.count()
        assert count == store.last_seq() >= len(acked)
        in_flight_lost = sum(store.get(r[1]) is None for r in last_sent.values())

        def retry(record: list[str]) -> bool:
            _, event_id, writer, n = record
            return store.append("load.test", {"writer": int(writer), "n": int(n)}, "child",
                                id=event_id).created

        assert not any(retry(r) for r in acked[-8:])
        for record in last_sent.values():  # the client restarts and resends its last ids
            retry(record)
        assert store.count() == count + in_flight_lost
        assert store.verify().ok
