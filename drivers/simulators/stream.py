"""Indicators streaming the Rice Lake and Cardinal formats, for tests and demos.

Every ``tick_interval`` the indicator sends one frame describing the shared
:class:`~drivers.simulators.load.LoadModel` (net when a tare is set,
motion while the load moves, out of range past Max + 9 d or below −20 d),
laid out as the makers' manuals draw it (docs/protocols.md section 8) —
written here from those figures, not from the driver's templates, so the
driver is tested against the documents. Zero and tare are front-panel keys
(:meth:`zero`, :meth:`tare`): the formats carry no commands.
"""

from __future__ import annotations

from drivers.simulators.device import DeviceSimulator
from drivers.simulators.load import FrontPanelKeys, LoadModel

STX, ETX, CR, LF = "\x02", "\x03", "\r", "\n"


def rice_lake_frame(weight: float, *, unit: str = "K", net: bool = False, status: str = " ",
                    decimals: int = 0) -> bytes:
    """``<STX><POL><wwwwwww><UNIT><G/N><S><CR><LF>``: polarity space or ``-``; seven characters of
    weight, right-justified, leading zeros as spaces (but one before the point); unit L/K/T/G/O;
    G or N; status space, I, M, O or Z."""
    number = f"{abs(weight):.{decimals}f}".rjust(7)
    if len(number) != 7:
        raise ValueError(f"{weight} does not fit seven characters")
    return f"{STX}{'-' if weight < 0 else ' '}{number}{unit}{'N' if net else 'G'}{status}{CR}{LF}".encode("ascii")


def cardinal_frame(weight: float, *, unit: str = "kg", net: bool = False, status: str = " ",
                   decimals: int = 0) -> bytes:
    """``<CR><POL><wwwwww><S><SP><UNIT><SP><G/N><SP><SP><ETX>``: polarity ``+`` or ``-``; six digits with
    leading zeros and the decimal point among them, or after them when there is none; status space, m
    or o; two-letter lower-case unit; g or n."""
    digits = f"{abs(weight):0{7 if decimals else 6}.{decimals}f}" + ("" if decimals else ".")
    if len(digits) != 7:
        raise ValueError(f"{weight} does not fit six digits")
    return f"{CR}{'-' if weight < 0 else '+'}{digits}{status} {unit:<2} {'n' if net else 'g'}  {ETX}".encode("ascii")


class _StreamSimulator(FrontPanelKeys, DeviceSimulator):
    """An indicator streaming the load model ten times a second, in kg."""

    kind = "scale"
    tick_interval = 0.1

    def __init__(self, model: LoadModel | None = None) -> None:
        super().__init__()
        self.model = model or LoadModel()

    def tick(self) -> None:
        self.send(self.frame())

    def frame(self) -> bytes:
        """The frame for the indicator's state now."""
        model = self.model
        net = model.tare != 0
        weight = model.net() if net else model.gross()
        range_status = model.range_status()
        return self.format(weight, net, "range" if range_status != "ok" else "motion" if not model.stable() else "")

    def format(self, weight: float, net: bool, status: str) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError


class RiceLakeStreamSimulator(_StreamSimulator):
    driver = "rice-lake-stream"

    def format(self, weight: float, net: bool, status: str) -> bytes:
        code = {"range": "O", "motion": "M"}.get(status, " ")
        return rice_lake_frame(weight, unit="K", net=net, status=code, decimals=self.model.decimals)


class CardinalStreamSimulator(_StreamSimulator):
    driver = "cardinal-stream"

    def format(self, weight: float, net: bool, status: str) -> bytes:
        code = {"range": "o", "motion": "m"}.get(status, " ")
        return cardinal_frame(weight, unit="kg", net=net, status=code, decimals=self.model.decimals)
