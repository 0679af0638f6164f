"""A seizure worth bundling, made through the lane's API on the technician bench: an item and a
sealed bag each weighed on bench-1 (a calibrated scale on a pty, so the weighings hold real raw
frames), a photo of the sealed bag, a witness; and its case bundle as a supervisor downloads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.custody_bench import ITEM, SEAL, new_id, step, weigh
from tests.support.technician_bench import Bench

PNG = b"\x89PNG\r\n\x1a\n" + b"the sealed bag on the bench" * 20
REASON = "court_request: Crown v. Doe, disclosure"


@dataclass(frozen=True)
class SeizedCase:
    inspection_id: str
    seizure_id: str
    bag_id: str
    photo: str


def seized_case(bench: Bench) -> SeizedCase:
    """A seizure of one weighed item, its bag weighed, photographed and sealed before sue."""
    inspection_id = bench.inspection()
    seizure_id = new_id()
    bench.ok("POST", "/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139",
                                   "items": [{**ITEM, "weighing_id": weigh(bench, 2.5)}]}, status=201, user="olga")
    bag_id = bench.ok("POST", f"/seizures/{seizure_id}/bags", {"id": new_id(), "description": "20 cartons",
                                                               "items": [0]}, status=201, user="olga")["bag"]["bag_id"]
    photo = bench.call("POST", "/photos", user="olga", data=PNG, content_type="image/png").get_json()["sha256"]
    sealed = step(bench, bag_id, "sealed", witness="sue", seal_number=SEAL, weighing_id=weigh(bench, 2.6),
                  photos=[photo])
    assert sealed.status_code == 201, sealed.get_json()
    return SeizedCase(inspection_id, seizure_id, bag_id, photo)


def download(bench: Bench, path: str, user: str = "sue", reason: str | None = REASON) -> Any:
    """GET a bundle route as ``user`` with ``reason`` (None: no X-Justification); the response."""
    headers = {"X-Justification": reason} if reason else {}
    return bench.call("GET", path, user=user, headers=headers)
