"""How a calibration reads the indication before rounding (OIML R 76-1 A.4.4.3).

A weighbridge indicator shows whole verification intervals e, so what it
displays hides up to half an e of error: it is judged either by
**changeover points** — at each load the technician adds small weights
(0.1 e by default) one at a time until the display turns to I + e, and
ΔL, the weight added, gives P = I + e/2 − ΔL — or on an **extended
display** reading to e/5 or finer (a service mode; the driver reads it
where its protocol has a command for it, e.g. MT-SICS ``SIH``, else the
display itself must read that fine). The method is stated on the
certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from edge.calibration.numbers import text
from edge.calibration.oiml_r76 import Instrument, check_changeover_step, check_extended_resolution

CHANGEOVER, EXTENDED = "changeover", "extended"
METHODS = (CHANGEOVER, EXTENDED)


@dataclass(frozen=True)
class ReadingMethod:
    """The method, with its small weight (changeover) or its resolution and
    the command that reads it (extended; None: the display's own stream)."""

    name: str
    step: Decimal | None = None
    resolution: Decimal | None = None
    command: str | None = None

    @classmethod
    def changeover(cls, instrument: Instrument, step: Decimal | None = None) -> "ReadingMethod":
        """Small weights of ``step`` (0.1 e unless given); raises R76Error if larger."""
        step = instrument.e / 10 if step is None else step
        check_changeover_step(instrument, step)
        return cls(CHANGEOVER, step=step)

    @classmethod
    def extended(cls, instrument: Instrument, resolution: Decimal, command: str | None) -> "ReadingMethod":
        """An extended display of ``resolution`` (≤ e/5), read by ``command`` or from the stream."""
        check_extended_resolution(instrument, resolution)
        return cls(EXTENDED, resolution=resolution, command=command)

    def reads_whole(self, indication: Decimal) -> bool:
        """Whether an extended reading is a whole number of the stated resolution
        (one that is not was not read at that resolution)."""
        return self.resolution is None or indication % self.resolution == 0

    def describe(self, unit: str) -> str:
        """One line for the certificate and the screen."""
        if self.name == CHANGEOVER:
            return (f"changeover points (OIML R 76-1 A.4.4.3): small weights of {text(self.step)} {unit} added "
                    f"until the indication turns to I + e; P = I + e/2 - dL")
        source = f"read with {self.command}" if self.command else "read from the display"
        return f"extended display to {text(self.resolution)} {unit} (e/5 or finer), {source}"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "step": text(self.step), "resolution": text(self.resolution),
                "command": self.command}
