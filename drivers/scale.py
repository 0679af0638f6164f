"""What every scale driver shares, whatever its protocol.

The server and the tablets see "a scale": one reading shape (docs/contract.md,
``reading`` for kind ``scale``), four units, and one set of commands. Each
protocol module turns its wire format into that; this module holds the
parts they would otherwise copy: unit normalisation, the reading dict and
the command API (refused, with a clear reason, by protocols that cannot
carry a command).
"""

from __future__ import annotations

from typing import Any

from drivers.base import DeviceError, SerialDriver

#: the units a reading may carry (docs/contract.md)
REPORTED_UNITS = ("kg", "g", "lb", "t")

#: units a scale may show that we convert rather than refuse
_CONVERTED = {"mg": "g", "oz": "lb"}

#: size of each known unit in kg (lb and oz by their legal definition)
_IN_KG = {"kg": 1.0, "g": 1e-3, "t": 1e3, "mg": 1e-6, "lb": 0.45359237, "oz": 0.45359237 / 16}

Tare = tuple[float, str]


class UnitError(ValueError):
    """A weight in a unit lanebox does not report (carats, pieces, ...)."""


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``.

    Rounded to 9 decimals so that 1234.5 mg is 1.2345 g, not 1.2345000000000002.
    """
    if from_unit == to_unit:
        return value
    try:
        factor = _IN_KG[from_unit] / _IN_KG[to_unit]
    except KeyError as exc:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: unknown unit {exc.args[0]!r}") from None
    return round(value * factor, 9)


def normalize(value: float, unit: str) -> tuple[float, str]:
    """The weight in a reported unit: kg, g, lb and t pass; mg becomes g, oz lb."""
    if unit in REPORTED_UNITS:
        return value, unit
    if unit in _CONVERTED:
        return convert(value, unit, _CONVERTED[unit]), _CONVERTED[unit]
    raise UnitError(f"unit {unit!r} is not one lanebox reports (kg, g, lb, t; mg and oz are converted)")


def tare_in(tare: Tare | None, unit: str) -> float | None:
    """The active tare expressed in ``unit``, or None when the scale weighs gross.

    A tare of zero is no tare: it changes nothing, so it is reported as null
    the same way by every protocol.
    """
    if tare is None or tare[0] == 0:
        return None
    return convert(tare[0], tare[1], unit)


def scale_reading(weight: float | None, unit: str, stable: bool, tare: float | None,
                  status: str = "ok") -> dict[str, Any]:
    """The ``data`` of a scale reading (docs/contract.md). ``weight`` is None out of range."""
    return {"weight": weight, "unit": unit, "stable": stable, "tare": tare, "status": status}


class ScaleDriver(SerialDriver):
    """A scale: the command API the server may call on any of them.

    Protocols that cannot carry a command (continuous output) keep these
    defaults, which raise :class:`DeviceError` saying so; command/response
    protocols override them.
    """

    kind = "scale"

    def zero(self, timeout: float = 5.0) -> None:
        """Set the scale to zero (it clears the tare too)."""
        raise self._unsupported("zero")

    def tare(self, timeout: float = 5.0) -> float:
        """Take what is on the platform as tare; returns the tare."""
        raise self._unsupported("tare")

    def clear_tare(self, timeout: float = 5.0) -> None:
        raise self._unsupported("clear tare")

    def preset_tare(self, value: float, unit: str, timeout: float = 5.0) -> float:
        """Set a known tare (a vehicle's registered tare); returns the tare the scale took."""
        raise self._unsupported("preset tare")

    def identify(self, timeout: float = 2.0) -> dict[str, str]:
        """Ask the scale who it is; returns (and stores) ``self.identity``."""
        raise self._unsupported("identify")

    def send_command(self, text: str, timeout: float = 5.0) -> str:
        """Send one raw command line (a technician's console); returns the reply."""
        raise self._unsupported("raw commands")

    def adjust_internal(self, timeout: float = 120.0) -> None:
        """Adjust the span with the scale's built-in weight."""
        raise self._unsupported("internal adjustment")

    def _unsupported(self, what: str) -> DeviceError:
        return DeviceError(f"{what}: not supported by the {self.name} protocol")
