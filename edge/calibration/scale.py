"""A scale calibration per OIML R 76-1, as a session the technician walks through.

The technician states the instrument (Max, e, class), the reference
weights and how the indication before rounding is read
(:mod:`edge.calibration.reading_method`); the session lays out the points
to weigh — zero, eccentricity (the same load on each zone), repeatability
(one load n times), weighing (≥ 5 loads from Min to Max, through the MPE
change points) — and judges each point with :mod:`edge.calibration.oiml_r76`:
on an extended display as soon as it is read; by changeover points once
the small weights added after the reading have turned the indication to
I + e. The zero point's error E0 corrects every later point. It knows
nothing of serial ports or HTTP: the API reads a stable weight from the
scale and hands it in. Numbers stay :class:`~decimal.Decimal` and travel
as strings, so the certificate shows exactly what was compared.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from edge.calibration.numbers import text
from edge.calibration.oiml_r76 import Instrument, PointResult, judge, repeatability, weighing_plan, zero_test
from edge.calibration.reading_method import CHANGEOVER, ReadingMethod

KIND = "scale-r76"
STEPS = ("zero", "eccentricity", "repeatability", "weighing")
#: steps whose load the technician may restate (the reference weights at hand may not make the planned load)
LOAD_MAY_DIFFER = ("eccentricity", "weighing")


class CalibrationError(ValueError):
    """A request the session cannot take now (out of order, a load out of range)."""


class ResolutionError(CalibrationError):
    """An extended reading that is not of the resolution the session was started with."""


class ChangeoverLost(CalibrationError):
    """The indication did not turn to I + e as small weights were added: the point starts over."""


@dataclass
class Point:
    """One indication to take: which step, what load, where; then what was read
    (the indication I and its reading) and, by changeover, each small weight
    added after it with what the scale showed then."""

    step: str
    load: Decimal
    prompt: str
    result: PointResult | None = None
    reading: dict[str, Any] | None = None  # the scale's reading message and raw line at the load
    indication: Decimal | None = None
    small_weights: list[dict[str, Any]] = field(default_factory=list)

    @property
    def added(self) -> Decimal | None:
        """ΔL so far: the small weights on top of the load."""
        return self.small_weights[-1]["added"] if self.small_weights else None

    def restart(self) -> None:
        self.indication, self.reading, self.small_weights = None, None, []

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {"step": self.step, "load": text(self.load), "prompt": self.prompt,
                "indication": text(self.indication), "added": text(self.added),
                "before_rounding": text(r and r.before_rounding), "error": text(r and r.error),
                "corrected": text(r and r.corrected), "mpe": text(r and r.mpe),
                "passed": None if r is None else r.passed, "reading": self.reading,
                "small_weights": [{**w, "added": text(w["added"]), "indication": text(w["indication"])}
                                  for w in self.small_weights]}


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
    method: ReadingMethod
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
        return self.points[0].reading is not None

    @property
    def complete(self) -> bool:
        return self.next_point is None

    @property
    def e0(self) -> Decimal:
        """The zero error E0 that corrects every later point (0 until the zero point is judged)."""
        zero = self.points[0].result
        return zero.error if zero is not None else Decimal(0)

    def record_adjustment(self, outcome: dict[str, Any]) -> None:
        """An adjustment (e.g. MT-SICS C3) run before the tests, and how it went."""
        if self.started:
            raise CalibrationError("adjustment comes before the tests: start a new calibration to adjust")
        self.adjustment = outcome

    def record(self, indication: Decimal, reading: dict[str, Any], load: Decimal | None = None) -> Point:
        """The indication I (in the instrument's unit) at the next point's load.

        On an extended display it is judged at once; by changeover the point
        then waits for small weights (:meth:`add_small_weight`). Reading a
        point again starts its changeover over.
        """
        point = self.next_point
        if point is None:
            raise CalibrationError("every point has been weighed")
        if load is not None and load != point.load:
            if point.step not in LOAD_MAY_DIFFER:
                raise CalibrationError(f"the {point.step} load is {text(point.load)} {self.unit}; it cannot be changed")
            if not 0 < load <= self.instrument.max_capacity:
                raise CalibrationError(f"the load must be more than 0 and at most Max "
                                       f"({text(self.instrument.max_capacity)})")
        if not self.method.reads_whole(indication):
            raise ResolutionError(f"{text(indication)} {self.unit} is not a whole number of the extended "
                                  f"display's {text(self.method.resolution)} {self.unit}: was it read in service mode?")
        point.restart()
        point.load = point.load if load is None else load
        point.indication, point.reading = indication, reading
        if self.method.name != CHANGEOVER:
            point.result = self._judge(point, None)
        return point

    def add_small_weight(self, indication: Decimal, reading: dict[str, Any]) -> Point:
        """One more small weight is on: judge the point once the indication is I + e.

        Raises :class:`ChangeoverLost` (and starts the point over) when the
        indication goes anywhere but I or I + e, or has not turned after a
        whole e of small weights.
        """
        point = self.next_point
        if point is None or point.indication is None or self.method.name != CHANGEOVER:
            raise CalibrationError("read the point's indication first, then add the small weights")
        added = (point.added or Decimal(0)) + self.method.step
        point.small_weights.append({"added": added, "indication": indication, "reading": reading})
        e, shown = self.instrument.e, point.indication
        if indication == shown + e:
            point.result = self._judge(point, added)
        elif indication != shown or added >= e:
            point.restart()
            why = (f"went from {text(shown)} to {text(indication)} {self.unit}, not to {text(shown + e)}"
                   if indication != shown else f"did not turn after {text(added)} {self.unit} (a whole e)")
            raise ChangeoverLost(f"the indication {why}: take the small weights off and read the point again")
        return point

    def _judge(self, point: Point, added: Decimal | None) -> PointResult:
        if point.step == "zero":
            return zero_test(self.instrument, point.indication, extra=added)
        return judge(self.instrument, point.load, point.indication, e0=self.e0, extra=added,
                     in_service=self.in_service)

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
                                                  [p.result.before_rounding for p in points if p.result],
                                                  e0=self.e0, in_service=self.in_service)
                summary.update(passed=passed, spread=text(spread), spread_limit=text(points[0].result.mpe))
            if not done:
                summary["passed"] = None
            out.append(summary)
        return out

    @property
    def passed(self) -> bool | None:
        verdicts = [s["passed"] for s in self.steps()]
        return None if None in verdicts else all(verdicts)

    def _next(self) -> dict[str, Any] | None:
        """The point to weigh now; by changeover, once read: the indication to wait for."""
        point = self.next_point
        if point is None:
            return None
        out = {"index": self.points.index(point), **point.as_dict(), "phase": "load"}
        if point.indication is not None:
            out.update(phase="changeover", step_weight=text(self.method.step),
                       target=text(point.indication + self.instrument.e))
        return out

    def as_dict(self) -> dict[str, Any]:
        """The whole session: what the screen shows and what the event keeps."""
        zero = self.points[0].result
        return {"id": self.id, "kind": self.kind, "device_id": self.device_id,
                "started_by": self.started_by, "started_at": self.started_at,
                "instrument": {"max": text(self.instrument.max_capacity), "e": text(self.instrument.e),
                               "accuracy_class": self.instrument.accuracy_class, "unit": self.unit,
                               "n": self.instrument.n, "min": text(self.instrument.min_capacity)},
                "method": {**self.method.as_dict(), "description": self.method.describe(self.unit)},
                "e0": text(zero and zero.error),
                "in_service": self.in_service, "weights": self.weights, "adjustment": self.adjustment,
                "steps": self.steps(), "complete": self.complete, "passed": self.passed,
                "next": self._next(),
                "progress": {"done": sum(p.result is not None for p in self.points), "total": len(self.points)}}
