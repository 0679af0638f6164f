"""Is the sealed bag still what was sealed? Its weight at a receipt against its weight at sealing.

Each weighing is only as good as its scale: by OIML R 76-1 an instrument of
accuracy class III or IIII with verification interval ``e`` may err, at a
load, by its maximum permissible error (table 6), and **in service** by twice
that (3.5.2): a bench scale weighing seized goods is in service. So an
untouched bag weighed at sealing and again at a receipt may show two
different weights, by as much as the two MPEs *added*: the first scale may
read high by its whole MPE and the second low by its whole MPE. The limit
is that sum, not the root-sum-square: RSS treats the two errors as random
and independent and is exceeded by an untouched bag whenever both scales err
near their limits in opposite directions, and a custody alarm accuses the
people who held the bag. A difference beyond the sum cannot be explained by
scales within their permitted errors: it is the pilferage or substitution
the check is for. (docs/evidence.md says this in words.)

Each weighing's MPE comes from the calibration record its scale stood on when
it was read (its class, e and unit); a scale without one cannot be judged,
and the check says so rather than guess.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from common.custody import WEIGHT_DIFFERS
from edge.calibration.numbers import text
from edge.calibration.oiml_r76 import GRAMS, R76Error, mpe
from edge.weighing.rules import ScaleData

IN_SERVICE = True
"""A bench scale weighing seized goods is in service: its MPE is twice that at verification."""
KG = Decimal(1000)  # grams


def weighing_mpe_kg(weight_kg: float, scale: ScaleData | None) -> Decimal | None:
    """The in-service MPE, in kg, of ``scale`` weighing ``weight_kg``; None when the scale's class
    and e are not known or the load is beyond what R 76-1 defines for it."""
    if scale is None or scale.unit not in GRAMS:
        return None
    grams_per_unit = GRAMS[scale.unit]
    try:
        limit = mpe(Decimal(str(weight_kg)) * KG / grams_per_unit, scale.e, scale.accuracy_class, IN_SERVICE)
    except R76Error:
        return None
    return limit * grams_per_unit / KG


def weight_check(sealed: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """The receipt's weighing ``now`` against the sealing's ``sealed`` (each a custody step's
    ``weighed``: ``weight_kg`` and ``mpe_kg``, a decimal string or None): ``{"sealed_kg", "now_kg",
    "difference_kg", "limit_kg", "ok"}``, ``ok`` None (and ``limit_kg`` None) when a scale's MPE
    is not known."""
    sealed_kg, now_kg = Decimal(str(sealed["weight_kg"])), Decimal(str(now["weight_kg"]))
    return {"sealed_kg": float(sealed_kg), "now_kg": float(now_kg), **_judged(now_kg - sealed_kg, sealed, now)}


def sample_check(before: dict[str, Any], sample: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A sampling's three weighings (each a ``weighed``): the parent ``before`` it was opened, the
    ``sample`` in its sub-bag, the parent ``after`` it was sealed again. Untouched but for the
    sample, ``before - sample`` is ``after`` up to the three MPEs added, for the same reason as
    two are added in :func:`weight_check`: ``{"before_kg", "sample_kg", "after_kg", "expected_kg",
    "difference_kg", "limit_kg", "ok"}`` (``ok`` and ``limit_kg`` None when an MPE is unknown)."""
    before_kg, sample_kg, after_kg = (Decimal(str(w["weight_kg"])) for w in (before, sample, after))
    expected = before_kg - sample_kg
    return {"before_kg": float(before_kg), "sample_kg": float(sample_kg), "after_kg": float(after_kg),
            "expected_kg": float(expected), **_judged(after_kg - expected, before, sample, after)}


def _judged(difference: Decimal, *weighings: dict[str, Any]) -> dict[str, Any]:
    """``difference_kg``, ``limit_kg`` (the weighings' MPEs added) and ``ok``; None when an MPE is unknown."""
    limits = [w.get("mpe_kg") for w in weighings]
    limit = sum(Decimal(x) for x in limits) if all(x is not None for x in limits) else None
    return {"difference_kg": float(difference), "limit_kg": None if limit is None else float(limit),
            "ok": None if limit is None else abs(difference) <= limit}


def weight_alarm(check: dict[str, Any]) -> dict[str, str] | None:
    """The custody alarm of a check beyond its limit, in words; None otherwise."""
    return _alarm(check, f"the bag weighs {_kg(check['now_kg'])} kg at receipt, {{by}} than when sealed "
                         f"({_kg(check['sealed_kg'])} kg)")


def sample_alarm(check: dict[str, Any]) -> dict[str, str] | None:
    """The custody alarm of a sampling whose parent weighs beyond what the sample and the scales
    explain, in words; None otherwise."""
    return _alarm(check, f"after sampling the bag weighs {_kg(check['after_kg'])} kg, {{by}} than "
                         f"{_kg(check['before_kg'])} kg less the sample's {_kg(check['sample_kg'])} kg")


def _alarm(check: dict[str, Any], said: str) -> dict[str, str] | None:
    """``weight_differs`` with ``said`` (its ``{by}``: how much lighter or heavier) and the limit."""
    if check["ok"] is not False:
        return None
    way = "lighter" if check["difference_kg"] < 0 else "heavier"
    by = f"{_kg(abs(check['difference_kg']))} kg {way}"
    return {"code": WEIGHT_DIFFERS,
            "message": f"{said.format(by=by)}; the scales explain at most {_kg(check['limit_kg'])} kg"}


def _kg(value: float) -> str:
    return text(Decimal(str(value))) or "?"
