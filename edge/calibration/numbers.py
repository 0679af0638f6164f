"""How a calibration writes its numbers: exact decimals, as a person writes them.

Sessions and their records keep numbers as strings of exact decimals, so a
certificate shows exactly the numbers that were compared (no 6E+4, no
binary-float tails)."""

from __future__ import annotations

from decimal import Decimal


def exact(value: float | int | Decimal) -> Decimal:
    """A number as the plain decimal a person writes: 60000.0 → 60000, 30.0 → 30, 0.50 → 0.5."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def text(value: Decimal | None) -> str | None:
    """How the session and its record write a number (strings: exact, and no 6E+4)."""
    return None if value is None else str(exact(value))
