"""A bench weighing cited as evidence: by a seized item (its weight) or by a custody step (the
sealed bag's gross weight, then again at each receipt).

A weighing weighs one thing once: cited by two items, by an item and a bag, or by two custody
steps it is refused — above all, a receipt may not cite the sealing's own weighing, which would
"match" whatever the bag now holds.
"""

from __future__ import annotations

from typing import Any

from common.eventlog.store import EventStore
from common.web.errors import conflict, not_found
from edge.api.bench_weighings import WEIGHED
from edge.calibration.numbers import text
from edge.seizures.weight_check import weighing_mpe_kg
from edge.weighing.rules import ScaleData

#: the events that cite weighings: a seizure's items, a bag's custody steps
CITING = ("seizure.created", "seizure.custody")
REUSED = "weighing_reused"


def bench_weighing_or_404(store: EventStore, weighing_id: str, where: str) -> dict[str, Any]:
    """The ``goods.weighed`` event of that id; 404 naming ``where`` it was cited otherwise."""
    event = store.get(weighing_id.lower())
    if event is None or event["type"] != WEIGHED:
        raise not_found(f"bench weighing {weighing_id!r} ({where})")
    return event


def refuse_if_cited(store: EventStore, weighing_id: str) -> None:
    """409 ``weighing_reused`` when an item or a custody step already cites the weighing."""
    marks = ", ".join("?" * len(CITING))
    rows = store.query(f"SELECT 1 FROM events WHERE type IN ({marks}) AND instr(lower(payload), ?) > 0 LIMIT 1",
                       (*CITING, weighing_id.lower()))
    if rows:
        raise conflict(f"bench weighing {weighing_id} is already cited as evidence; weigh again", REUSED)


def citation(event: dict[str, Any]) -> dict[str, Any]:
    """What a record keeps of the weighing it cites: the event (id and hash), the scale and its
    calibration standing when it was read."""
    weighing = event["payload"]
    return {"event_id": event["id"], "hash": event["hash"], "device_id": weighing["device_id"], "at": event["ts"],
            "calibration": weighing["calibration"], "calibration_due": weighing["calibration_due"]}


def weighed_bag(store: EventStore, event: dict[str, Any]) -> dict[str, Any]:
    """A custody step's citation: also the gross weight, the scale's class and e from the calibration
    record it stood on when read, and the weighing's in-service MPE (a decimal string, None when
    unknown)."""
    weight_kg = event["payload"]["weight_kg"]
    scale = scale_when_read(store, event["payload"]["calibration"])
    limit = weighing_mpe_kg(weight_kg, scale)
    return {**citation(event), "weight_kg": weight_kg, "scale": scale.as_dict() if scale else None,
            "mpe_kg": text(limit)}


def scale_when_read(store: EventStore, calibration: dict[str, Any]) -> ScaleData | None:
    """The scale's data (class, e, Max, unit) from the R 76-1 calibration record it stood on, or None."""
    last = calibration.get("last") or {}
    record = store.get(last["id"]) if isinstance(last.get("id"), str) else None
    if record is None or record["type"] != "calibration.recorded" or record["payload"].get("kind") != "scale-r76" \
            or "record" not in record["payload"]:
        return None
    return ScaleData.from_calibration(record)
