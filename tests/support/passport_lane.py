"""A lane with a passport reader on a pty, and what its supervisor does to a case's personal data:
the rig of the retention and erasure tests at the lane and at the hub (issue #17)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from drivers.simulators.mrz_reader import DocumentReaderSimulator, made_up_specimens
from drivers.simulators.ports import PtyPort
from edge.store import lane_store_path
from tests.support.custody_bench import new_id
from tests.support.lane_process import by_id_link
from tests.support.technician_bench import Bench, close_bench, make_bench
from tests.support.waiting import wait_for

HALLORAN, DE_VRIES = made_up_specimens()[0], made_up_specimens()[1]
#: HALLORAN's name, document number and date of birth, as they would sit in a file in clear
PERSONAL = (b"HALLORAN", b"BRIDGET", b"543219876", b"1987-03-14")
COURT = {"X-Justification": "court_request: R v Doe"}


@contextmanager
def passport_lane(root: Path) -> Iterator[Bench]:
    """A started lane whose only device is a passport reader (``document-1``), its store in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    bench = make_bench(root)
    bench.sims["document-1"] = DocumentReaderSimulator()
    bench.ports["document-1"] = PtyPort(bench.sims["document-1"], link=by_id_link(root, "document-1")).start()
    bench.config_devices = ("document-1",)
    try:
        bench.start()
        bench.connected("document-1")
        yield bench
    finally:
        close_bench(bench)


def read_passport(lane: Bench, lines: list[str] = HALLORAN, outcome: str | None = "refer") -> str:
    """An inspection with the passport's reading attached, then closed with ``outcome`` (None: left open)."""
    inspection_id = lane.inspection()
    surname = lines[0][5:].split("<<")[0].replace("<", " ")
    reader = lane.server.devices.get("document-1")
    shown_before = reader.seq  # an earlier test's read of the same passport is not this one
    lane.sims["document-1"].present(lines)
    wait_for(lambda: reader.latest is not None and reader.latest["seq"] > shown_before,
             message="the passport read after the inspection started")
    lane.attach("document-1", inspection_id, lambda data: (data.get("mrz") or {}).get("surname") == surname)
    if outcome is not None:
        lane.ok("POST", f"/inspections/{inspection_id}/outcome",
                {"id": new_id(), "outcome": outcome, "reason": "as the test needs"}, status=201, user="olga")
    return inspection_id


def store_bytes(path: Path) -> bytes:
    """Every byte of a SQLite store: the database file and its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def lane_bytes(lane: Bench) -> bytes:
    return store_bytes(lane_store_path(lane.root))


def erase(lane: Bench, case_id: str, user: str = "sue") -> Any:
    """A supervisor's erasure order (the response)."""
    return lane.call("POST", "/erasures", user=user, json={"id": new_id(), "case_id": case_id,
                                                            "reason": "the traveller's request, DPA ref 2026/114"})


def hold(lane: Bench, case_id: str, held: bool = True) -> Any:
    """A supervisor sets (or lifts) a legal hold (the response)."""
    return lane.call("POST", f"/cases/{case_id}/legal-hold", user="sue",
                     json={"id": new_id(), "hold": held, "reason": "appeal pending, Crown Court T2026/0042"})
