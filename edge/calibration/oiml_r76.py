"""OIML R 76-1 rules for non-automatic weighing instruments, as pure functions.

What a scale calibration is judged by (docs/protocols.md section 6):
the instrument's data (table 3: e of the form 1, 2 or 5 × 10^k, n = Max/e
and Min by class), the maximum permissible error (MPE) for a load, by
accuracy class and verification interval ``e`` (table 6), and the zero,
eccentricity, repeatability and weighing tests built on it. An indicator
showing whole e cannot be judged on what it shows (a true error of 1.4 e
may show as 1 e): the error before rounding is found by changeover points
(A.4.4.3) or read from an extended display of e/5 or finer. Everything is in :class:`~decimal.Decimal` and
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
#: grams in each unit an instrument may be stated in
GRAMS = {"kg": Decimal(1000), "g": Decimal(1), "t": Decimal(1_000_000)}
#: the leading digit a scale interval may have (1, 2 or 5 × 10^k)
INTERVAL_DIGITS = ((1,), (2,), (5,))


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
        if not is_interval(e):
            raise R76Error(f"e = {e} {unit}: a scale interval must be 1, 2 or 5 × 10^k")
        n = max_capacity / e
        if n != n.to_integral_value():
            raise R76Error(f"Max {max_capacity} is not a whole number of e ({e})")
        low, high = N_RANGE[accuracy_class]
        e_grams = e * GRAMS.get(unit, GRAMS["kg"])
        if accuracy_class == "III" and e_grams < Decimal("0.1"):
            raise R76Error("class III needs e of at least 0.1 g")
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


def is_interval(value: Decimal) -> bool:
    """Whether ``value`` is 1, 2 or 5 × 10^k (R 76-1's form of every scale interval)."""
    return value > 0 and value.normalize().as_tuple().digits in INTERVAL_DIGITS


def check_extended_resolution(instrument: Instrument, resolution: Decimal) -> None:
    """An extended display stands in for changeover points only when it reads
    to e/5 or finer (A.4.4.3), in an interval of the allowed form."""
    if not is_interval(resolution):
        raise R76Error(f"the extended display's interval {resolution} must be 1, 2 or 5 × 10^k")
    if resolution > instrument.e / 5:
        raise R76Error(f"an extended display must read to e/5 ({instrument.e / 5}) or finer, not {resolution}")


def check_changeover_step(instrument: Instrument, step: Decimal) -> None:
    """The small weights added at a changeover point: at most 0.1 e each
    (A.4.4.3), since the error before rounding is found to within one of them."""
    if not 0 < step <= instrument.e / 10:
        raise R76Error(f"the small weights must be more than 0 and at most e/10 ({instrument.e / 10}), not {step}")


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
    """One indication judged against its MPE: the indication I, the indication
    before rounding P, the error E = P - L and, corrected by the zero error,
    Ec = E - E0 (what is compared with the MPE)."""

    load: Decimal
    indication: Decimal
    before_rounding: Decimal
    error: Decimal
    corrected: Decimal
    mpe: Decimal
    passed: bool


def before_rounding(indication: Number, e: Number, extra: Number | None) -> Decimal:
    """The indication before rounding, P (A.4.4.3).

    ``extra`` is ΔL, the small weights that turned the indication I into
    I + e: then P = I + e/2 - ΔL. Without it the indication is read at a
    resolution of e/5 or finer (an extended display) and is P itself.
    """
    indication = _d(indication)
    return indication if extra is None else indication + _d(e) / 2 - _d(extra)


def judge(instrument: Instrument, load: Number, indication: Number, *, e0: Number = 0,
          extra: Number | None = None, in_service: bool = False) -> PointResult:
    """One point: E = P - L, corrected by the zero error ``e0`` (Ec = E - E0), within the MPE."""
    load, indication = _d(load), _d(indication)
    shown = before_rounding(indication, instrument.e, extra)
    error = shown - load
    corrected = error - _d(e0)
    limit = instrument.mpe(load, in_service)
    return PointResult(load, indication, shown, error, corrected, limit, abs(corrected) <= limit)


def zero_test(instrument: Instrument, indication: Number, *, extra: Number | None = None) -> PointResult:
    """After zeroing, the zero error E0 (found like any error before rounding)
    must be within ±0.25 e (4.5.2)."""
    shown = before_rounding(indication, instrument.e, extra)
    limit = instrument.e / 4
    return PointResult(Decimal(0), _d(indication), shown, shown, shown, limit, abs(shown) <= limit)


def repeatability(instrument: Instrument, load: Number, values: Iterable[Number], *, e0: Number = 0,
                  in_service: bool = False) -> tuple[bool, Decimal, list[PointResult]]:
    """Same load at least 3 times: the spread of the indications before
    rounding ``values`` ≤ |MPE|, and each within the MPE once corrected by ``e0``."""
    points = [judge(instrument, load, value, e0=e0, in_service=in_service) for value in values]
    if len(points) < 3:
        raise R76Error("repeatability needs at least 3 weighings")
    spread = max(p.before_rounding for p in points) - min(p.before_rounding for p in points)
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
