"""OIML R 76-1 rules for non-automatic weighing instruments, as pure functions.

What a scale calibration is judged by (docs/protocols.md section 6):
the maximum permissible error (MPE) for a load, by accuracy class and
verification interval ``e``, and the zero, eccentricity, repeatability and
weighing tests built on it. Everything is in :class:`~decimal.Decimal` and
in the instrument's own unit, so a certificate shows exactly the numbers
that were compared — no binary-float surprises at a band boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

Number = Decimal | int | float | str

#: MPE bands at initial verification: (upper bound of the load in e, MPE in e)
MPE_BANDS: dict[str, tuple[tuple[int, Decimal], ...]] = {
    "III": ((500, Decimal("0.5")), (2_000, Decimal("1.0")), (10_000, Decimal("1.5"))),
    "IIII": ((50, Decimal("0.5")), (200, Decimal("1.0")), (1_000, Decimal("1.5"))),
}
#: n = Max / e allowed per class, and Min in e
N_RANGE = {"III": (100, 10_000), "IIII": (100, 1_000)}
MIN_IN_E = {"III": 20, "IIII": 10}


class R76Error(ValueError):
    """An instrument or load outside what R 76-1 defines."""


def _d(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Instrument:
    """Max, verification interval e and accuracy class, checked against R 76-1."""

    max_capacity: Decimal
    e: Decimal
    accuracy_class: str

    @classmethod
    def of(cls, max_capacity: Number, e: Number, accuracy_class: str, unit: str = "kg") -> "Instrument":
        """Validate; ``unit`` is the unit of Max and e (for the class IIII e ≥ 5 g rule)."""
        max_capacity, e = _d(max_capacity), _d(e)
        if accuracy_class not in MPE_BANDS:
            raise R76Error(f"accuracy class must be III or IIII, not {accuracy_class!r}")
        if e <= 0 or max_capacity <= 0:
            raise R76Error("Max and e must be positive")
        n = max_capacity / e
        if n != n.to_integral_value():
            raise R76Error(f"Max {max_capacity} is not a whole number of e ({e})")
        low, high = N_RANGE[accuracy_class]
        e_grams = e * {"kg": 1000, "g": 1, "t": 1_000_000}.get(unit, 1000)
        if accuracy_class == "III" and e_grams >= 5:
            low = 500
        if accuracy_class == "IIII" and e_grams < 5:
            raise R76Error("class IIII needs e of at least 5 g")
        if not low <= n <= high:
            raise R76Error(f"n = Max/e = {n} is outside {low}..{high} for class {accuracy_class}")
        return cls(max_capacity, e, accuracy_class)

    @property
    def n(self) -> int:
        return int(self.max_capacity / self.e)

    @property
    def min_capacity(self) -> Decimal:
        return MIN_IN_E[self.accuracy_class] * self.e

    def mpe(self, load: Number, in_service: bool = False) -> Decimal:
        """The MPE (a positive mass) for ``load``; doubled in service."""
        return mpe(load, self.e, self.accuracy_class, in_service)

    def change_points(self) -> list[Decimal]:
        """Loads where the MPE steps up (500 e and 2000 e for class III) within Max."""
        return [bound * self.e for bound, _ in MPE_BANDS[self.accuracy_class][:-1]
                if bound * self.e < self.max_capacity]


def mpe(load: Number, e: Number, accuracy_class: str, in_service: bool = False) -> Decimal:
    """Maximum permissible error for ``load`` (same unit as ``e``)."""
    load, e = _d(load), _d(e)
    if accuracy_class not in MPE_BANDS:
        raise R76Error(f"accuracy class must be III or IIII, not {accuracy_class!r}")
    if load < 0:
        raise R76Error("load must not be negative")
    in_e = load / e
    for upper, band_mpe in MPE_BANDS[accuracy_class]:
        if in_e <= upper:
            return band_mpe * e * (2 if in_service else 1)
    raise R76Error(f"load {load} is {in_e} e, beyond class {accuracy_class}'s {MPE_BANDS[accuracy_class][-1][0]} e")


@dataclass(frozen=True)
class PointResult:
    """One indication judged against its MPE."""

    load: Decimal
    indication: Decimal
    error: Decimal
    mpe: Decimal
    passed: bool


def judge(instrument: Instrument, load: Number, indication: Number, *, e0: Number = 0,
          extra: Number | None = None, in_service: bool = False) -> PointResult:
    """Error of one indication, corrected by the zero error ``e0``.

    With ``extra`` (the changeover-point method's added small weights ΔL),
    the error before rounding is ``P - L`` with ``P = I + e/2 - ΔL``;
    without it the indication is taken as it is.
    """
    load, indication = _d(load), _d(indication)
    shown = indication + instrument.e / 2 - _d(extra) if extra is not None else indication
    error = shown - load - _d(e0)
    limit = instrument.mpe(load, in_service)
    return PointResult(load, indication, error, limit, abs(error) <= limit)


def zero_test(instrument: Instrument, error_at_zero: Number) -> PointResult:
    """After zeroing, the zero error must be within ±0.25 e."""
    error = _d(error_at_zero)
    limit = instrument.e / 4
    return PointResult(Decimal(0), error, error, limit, abs(error) <= limit)


def repeatability(instrument: Instrument, load: Number, indications: Iterable[Number], *,
                  in_service: bool = False) -> tuple[bool, Decimal, list[PointResult]]:
    """Same load at least 3 times: spread ≤ |MPE| and each within MPE."""
    points = [judge(instrument, load, i, in_service=in_service) for i in indications]
    if len(points) < 3:
        raise R76Error("repeatability needs at least 3 weighings")
    spread = max(p.indication for p in points) - min(p.indication for p in points)
    limit = instrument.mpe(load, in_service)
    return spread <= limit and all(p.passed for p in points), spread, points


def weighing_plan(instrument: Instrument, count: int = 5) -> list[Decimal]:
    """At least ``count`` loads from Min to Max, including the MPE change points."""
    if count < 5:
        raise R76Error("the weighing test needs at least 5 loads")
    loads = {instrument.min_capacity, instrument.max_capacity, *instrument.change_points()}
    divisions = count
    while len(loads) < count:  # fill evenly, finer each round, in whole e
        step = instrument.max_capacity / divisions
        for k in range(1, divisions):
            if len(loads) < count:
                loads.add((step * k / instrument.e).to_integral_value() * instrument.e)
        divisions *= 2
    return sorted(loads)
