"""A scale calibration per OIML R 76-1, as a session the technician walks through.

The technician states the instrument (Max, e, class) and the reference
weights; the session lays out the points to weigh — zero, eccentricity
(the same load on each zone), repeatability (one load n times), weighing
(≥ 5 loads from Min to Max, through the MPE change points) — and judges
each indication as it is read, with :mod:`edge.calibration.oiml_r76`. It knows nothing
of serial ports or HTTP: the API reads a stable weight from the scale and
hands it in. Numbers stay :class:`~decimal.Decimal` and travel as strings,
so the certificate shows exactly what was compared.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from edge.calibration.oiml_r76 import Instrument, PointResult, judge, repeatability, weighing_plan, zero_test

KIND = "scale-r76"
STEPS = ("zero", "eccentricity", "repeatability", "weighing")
#: steps whose load the technician may restate (the reference weights at hand may not make the planned load)
LOAD_MAY_DIFFER = ("eccentricity", "weighing")


class CalibrationError(ValueError):
    """A request the session cannot take now (out of order, a load out of range)."""


@dataclass
class Point:
    """One indication to take: which step, what load, where; then what was read."""

    step: str
    load: Decimal
    prompt: str
    result: PointResult | None = None
    reading: dict[str, Any] | None = None  # the scale's reading message and raw line

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {"step": self.step, "load": text(self.load), "prompt": self.prompt,
                "indication": text(r and r.indication), "error": text(r and r.error), "mpe": text(r and r.mpe),
                "passed": None if r is None else r.passed, "reading": self.reading}


def exact(value: float | int | Decimal) -> Decimal:
    """A number as the plain decimal a person writes: 60000.0 → 60000, 30.0 → 30, 0.50 → 0.5."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def text(value: Decimal | None) -> str | None:
    """How the session and its record write a number (strings: exact, and no 6E+4)."""
    return None if value is None else str(exact(value))


def _whole_e(value: Decimal, e: Decimal) -> Decimal:
    return (value / e).to_integral_value(ROUND_FLOOR) * e


def plan_points(instrument: Instrument, unit: str, zones: int, repeats: int, loads: int) -> list[Point]:
    """The points of a full test, in the order they are weighed."""
    e, maximum = instrument.e, instrument.max_capacity
    eccentric = _whole_e(maximum / 3, e)
    half = _whole_e(maximum / 2, e)
    points = [Point("zero", Decimal(0), "Empty the platform: the scale is zeroed, then read at no load.")]
    points += [Point("eccentricity", eccentric, f"Put {text(eccentric)} {unit} on zone {z} of {zones}.")
               for z in range(1, zones + 1)]
    points += [Point("repeatability", half, f"Put {text(half)} {unit} on the middle of the platform "
                                            f"(weighing {n} of {repeats}; unload in between).")
               for n in range(1, repeats + 1)]
    points += [Point("weighing", load, f"Put {text(load)} {unit} on the platform.")
               for load in weighing_plan(instrument, loads)]
    return points


@dataclass
class ScaleCalibration:
    """One calibration of one scale, from the first point to the verdict."""

    device_id: str
    instrument: Instrument
    unit: str
    weights: list[dict[str, Any]]
    started_by: str
    started_at: str
    in_service: bool = False
    zones: int = 4
    repeats: int = 3
    loads: int = 5
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    adjustment: dict[str, Any] | None = None
    points: list[Point] = field(init=False)
    kind: str = KIND

    def __post_init__(self) -> None:
        self.points = plan_points(self.instrument, self.unit, self.zones, self.repeats, self.loads)

    @property
    def next_point(self) -> Point | None:
        return next((p for p in self.points if p.result is None), None)

    @property
    def started(self) -> bool:
        return self.points[0].result is not None

    @property
    def complete(self) -> bool:
        return self.next_point is None

    def record_adjustment(self, outcome: dict[str, Any]) -> None:
        """An adjustment (e.g. MT-SICS C3) run before the tests, and how it went."""
        if self.started:
            raise CalibrationError("adjustment comes before the tests: start a new calibration to adjust")
        self.adjustment = outcome

    def record(self, indication: Decimal, reading: dict[str, Any], load: Decimal | None = None) -> Point:
        """Judge ``indication`` (in the instrument's unit) for the next point."""
        point = self.next_point
        if point is None:
            raise CalibrationError("every point has been weighed")
        if load is not None and load != point.load:
            if point.step not in LOAD_MAY_DIFFER:
                raise CalibrationError(f"the {point.step} load is {text(point.load)} {self.unit}; it cannot be changed")
            if not 0 < load <= self.instrument.max_capacity:
                raise CalibrationError(f"the load must be more than 0 and at most Max "
                                       f"({text(self.instrument.max_capacity)})")
            point.load = load
        if point.step == "zero":
            point.result = zero_test(self.instrument, indication)
        else:
            point.result = judge(self.instrument, point.load, indication, in_service=self.in_service)
        point.reading = reading
        return point

    def steps(self) -> list[dict[str, Any]]:
        """Each step with its points and verdict (None until all its points are read)."""
        out = []
        for name in STEPS:
            points = [p for p in self.points if p.step == name]
            done = all(p.result is not None for p in points)
            summary: dict[str, Any] = {"step": name, "points": [p.as_dict() for p in points],
                                       "passed": done and all(p.result.passed for p in points if p.result)}
            if name == "repeatability" and done:
                passed, spread, _ = repeatability(self.instrument, points[0].load,
                                                  [p.result.indication for p in points if p.result],
                                                  in_service=self.in_service)
                summary.update(passed=passed, spread=text(spread), spread_limit=text(points[0].result.mpe))
            if not done:
                summary["passed"] = None
            out.append(summary)
        return out

    @property
    def passed(self) -> bool | None:
        verdicts = [s["passed"] for s in self.steps()]
        return None if None in verdicts else all(verdicts)

    def as_dict(self) -> dict[str, Any]:
        """The whole session: what the screen shows and what the event keeps."""
        nxt = self.next_point
        return {"id": self.id, "kind": self.kind, "device_id": self.device_id,
                "started_by": self.started_by, "started_at": self.started_at,
                "instrument": {"max": text(self.instrument.max_capacity), "e": text(self.instrument.e),
                               "accuracy_class": self.instrument.accuracy_class, "unit": self.unit,
                               "n": self.instrument.n, "min": text(self.instrument.min_capacity)},
                "in_service": self.in_service, "weights": self.weights, "adjustment": self.adjustment,
                "steps": self.steps(), "complete": self.complete, "passed": self.passed,
                "next": None if nxt is None else {"index": self.points.index(nxt), **nxt.as_dict()},
                "progress": {"done": sum(p.result is not None for p in self.points), "total": len(self.points)}}
