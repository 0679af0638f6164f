"""Evidence bags on the technician bench: bench-1 (60 kg by 0.02 kg) with a class III calibration
record, so its weighings have an MPE; bags seized, weighed, sealed before a witness and received,
through the lane's API as the tablet does it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common.eventlog.store import EventStore
from tests.support.technician_bench import Bench, running_bench
from tests.support.waiting import wait_for

INSTRUMENT = {"max": "60", "e": "0.02", "accuracy_class": "III", "unit": "kg", "n": 3000, "min": "0.4"}
ITEM = {"description": "Cigarettes, 20 cartons", "hs_code": "240220", "quantity": 20, "unit": "cartons",
        "value": 1250, "currency": "EUR"}
SEAL = "GB 004711"


def new_id() -> str:
    return str(uuid.uuid4())


def calibrate_bench_scale(store: EventStore) -> None:
    """bench-1's calibration, as the wizard records one: class III, e = 0.02 kg, Max 60 kg."""
    record = {"instrument": INSTRUMENT, "steps": [], "weights": [], "started_by": "tom",
              "started_at": "2026-11-29T08:00:00Z", "in_service": False, "adjustment": None}
    store.append("calibration.recorded", {"device_id": "bench-1", "kind": "scale-r76", "passed": True,
                                          "session_id": new_id(), "record": record}, "tom")


@contextmanager
def calibrated_bench(root: Path) -> Iterator[Bench]:
    """A started bench with bench-1 alone, calibrated."""
    with running_bench(root, ("bench-1",)) as bench:
        calibrate_bench_scale(bench.server.store)
        bench.server.calibration_watch.refresh()
        yield bench


def weigh(bench: Bench, kg: float) -> str:
    """The bag put on bench-1 showing ``kg``; the officer taps "Weigh the sealed bag". The weighing's id."""
    bench.sims["bench-1"].set_load(kg, settle=True)
    state = bench.server.devices.get("bench-1")
    wait_for(lambda: state.latest is not None and state.latest["data"].get("stable")
             and state.latest["data"]["weight"] == kg, message=f"{kg} kg stable on bench-1")
    weighing_id = new_id()
    bench.ok("POST", "/bench-weighings", {"id": weighing_id, "device_id": "bench-1",
                                          "reading_seq": state.latest["seq"]}, status=201, user="olga")
    return weighing_id


def new_bag(bench: Bench) -> str:
    """A new seizure with one bag, unsealed; the bag's id."""
    seizure_id = new_id()
    bench.ok("POST", "/seizures", {"id": seizure_id, "inspection_id": bench.inspection(),
                                   "legal_basis": "CEMA 1979 s.139", "items": [ITEM]}, status=201, user="olga")
    return bench.ok("POST", f"/seizures/{seizure_id}/bags", {"id": new_id(), "description": "20 cartons",
                                                             "items": [0]}, status=201, user="olga")["bag"]["bag_id"]


def step(bench: Bench, bag_id: str, action: str, witness: str | None = None, user: str = "olga",
         **fields: Any) -> Any:
    """A custody step by ``user``, countersigned by ``witness`` (their own session's token); the response."""
    headers = {"X-Witness-Token": bench.tokens[witness]} if witness else {}
    body = {"id": new_id(), "action": action, "confirmation": "typed", **fields}
    return bench.call("POST", f"/bags/{bag_id}/custody", user=user, json=body, headers=headers)


def sealed_bag(bench: Bench, kg: float) -> str:
    """A new bag weighing ``kg``, sealed by olga with seal ``SEAL`` before sue."""
    bag_id = new_bag(bench)
    sealed = step(bench, bag_id, "sealed", witness="sue", seal_number=SEAL, weighing_id=weigh(bench, kg))
    assert sealed.status_code == 201, sealed.get_json()
    return bag_id


def received(bench: Bench, bag_id: str, kg: float) -> dict[str, Any]:
    """The bag received with its seal intact and reweighed showing ``kg``; the step's event."""
    answer = step(bench, bag_id, "received", seal_intact=True, seal_number=SEAL, weighing_id=weigh(bench, kg))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["event"]
