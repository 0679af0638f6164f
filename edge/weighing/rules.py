"""Weighbridge transactions as pure rules: what a pass may weigh, and what two passes make.

A lorry is weighed twice — loaded and empty, in either order — or once,
loaded, against a tare stored for its plate; the heavier weight is the
gross, the lighter the tare, and net = gross − tare. Per OIML R 76-1 a
weighing result is taken only from a stable equilibrium (4.4.2; a weight
still moving is refused) and only between the instrument's Min (20 e in
class III, 10 e in class IIII: table 3) and Max. The lane weighs every pass
gross (an indicator tare would hide what was on the platform) and keeps
each in the instrument's unit as the exact decimal the scale showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from drivers.scale import UnitError, convert
from edge.calibration.numbers import exact, text


class WeighingRefused(ValueError):
    """A pass that is no weighing result; ``code`` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ScaleData:
    """What the weighbridge is, as its last calibration record states it."""

    max_capacity: Decimal
    e: Decimal
    min_load: Decimal
    unit: str
    accuracy_class: str
    calibration_id: str

    @classmethod
    def from_calibration(cls, event: dict[str, Any]) -> "ScaleData":
        """From a ``calibration.recorded`` event of kind ``scale-r76`` (its session's instrument)."""
        ins = event["payload"]["record"]["instrument"]
        return cls(Decimal(ins["max"]), Decimal(ins["e"]), Decimal(ins["min"]), ins["unit"], ins["accuracy_class"],
                   event["id"])

    def as_dict(self) -> dict[str, Any]:
        return {"max": text(self.max_capacity), "e": text(self.e), "min": text(self.min_load), "unit": self.unit,
                "accuracy_class": self.accuracy_class, "calibration_id": self.calibration_id}


def pass_weight(data: dict[str, Any], scale: ScaleData) -> Decimal:
    """The weight of one pass in the scale's unit, or :class:`WeighingRefused`."""
    status = data.get("status")
    if status != "ok":
        raise WeighingRefused("out_of_range", f"the scale shows {status}: no weighing result")
    if not data.get("stable"):
        raise WeighingRefused("in_motion", "the weight is still moving: a result is taken only when it is stable")
    if data.get("tare"):
        raise WeighingRefused("tare_active", "the indicator shows a net weight: clear its tare, every pass is gross")
    try:
        weight = exact(convert(float(data["weight"]), data["unit"], scale.unit))
    except (UnitError, TypeError, KeyError, ValueError):
        raise WeighingRefused("unit_mismatch", f"the reading is not a weight in {scale.unit}") from None
    if weight < scale.min_load:
        raise WeighingRefused("below_min", f"{text(weight)} {scale.unit} is below the weighbridge's Min "
                                           f"({text(scale.min_load)} {scale.unit}): not a weighing result")
    if weight > scale.max_capacity:
        raise WeighingRefused("above_max", f"{text(weight)} {scale.unit} is above the weighbridge's Max "
                                           f"({text(scale.max_capacity)} {scale.unit})")
    return weight


def net_result(first: Decimal, second: Decimal, unit: str) -> dict[str, str | None]:
    """Gross (the heavier pass), tare (the lighter) and net, in ``unit``."""
    gross, tare = max(first, second), min(first, second)
    return {"gross": text(gross), "tare": text(tare), "net": text(gross - tare), "unit": unit}
