"""An MT-SICS scale (levels 0-1, C3), answering exactly as docs/protocols.md says.

Weights are right-aligned in a 10-character field with the sign next to
the digits (``S S     100.00 g``). Commands are done in the order they
came; S, Z and T wait up to ``stability_timeout`` for the load to settle
(and answer ``I`` if it does not), holding the commands behind them, as a
real scale does. ``@`` jumps the queue: it cancels everything pending.
``SR`` stops SIR and answers the current weight once (its repeat on a
weight change is not modelled). During a C3 adjustment the scale is busy.
``SIH`` answers the weight at once in the service mode's higher
resolution, a tenth of d (``extended=False`` makes a scale without it).
``zero_setting_error`` makes zeroing leave that much on the display, as an
indicator whose zero-setting is out of adjustment would.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from drivers.scale import UnitError, convert
from drivers.simulators.device import LineCommandSimulator
from drivers.simulators.load import LoadDriven, LoadModel, decimals_of

#: command → MT-SICS level, in the order I0 lists them
LEVELS = {"@": 0, "I0": 0, "I1": 0, "I2": 0, "I3": 0, "I4": 0, "S": 0, "SI": 0, "SIR": 0,
          "Z": 0, "ZI": 0, "SR": 1, "T": 1, "TA": 1, "TAC": 1, "C3": 2, "SIH": 3}
#: the higher resolution SIH reads at, in display intervals d
EXTENDED_PER_D = 10

Reply = list[str] | None  # None: wait for stability and try again


class MtSicsSimulator(LoadDriven, LineCommandSimulator):
    """A vehicle scale by default (the model's 60 t by 20 kg), in ``unit``;
    ``internal_weight=True`` makes it a balance that can run C3."""

    kind = "scale"
    driver = "mt-sics"
    tick_interval = 0.1          # the SIR rate: 10 lines/s
    stability_timeout = 3.0      # S, Z, T give up (I) after this
    adjust_seconds = 3.0         # how long C3 takes

    def __init__(self, model: LoadModel | None = None, *, unit: str = "kg", type_name: str = "SIM-WB60",
                 serial: str = "0123456789", firmware: str = "1.2.0", internal_weight: bool = False) -> None:
        super().__init__()
        self.model = model or LoadModel()
        if unit not in ("kg", "g", "t"):
            raise ValueError("the simulator shows kg, g or t")
        self.unit = unit
        self.type_name, self.serial, self.firmware = type_name, serial, firmware
        self.internal_weight = internal_weight
        self.extended = True       # answers SIH
        self.zero_setting_error = 0.0  # kg left on the display by zeroing
        self.busy = False          # True: commands answer "I"
        self.streaming = False     # SIR running
        self.decimals = max(0, self.model.decimals + {"kg": 0, "g": -3, "t": 3}[unit])
        self._queue: deque[tuple[str, list[str], float]] = deque()
        self._adjust_until: float | None = None
        self._handlers: dict[str, Callable[[list[str]], Reply]] = {
            "S": self._s, "SI": self._si, "SIR": self._sir, "SIH": self._sih, "SR": self._si,
            "Z": self._z, "ZI": self._zi,
            "T": self._t, "TA": self._ta, "TAC": self._tac, "C3": self._c3, "I0": self._i0,
            "I1": lambda args: ['I1 A "012" "2.20" "1.20" "1.00" "1.00"'],
            "I2": lambda args: [f'I2 A "{self.type_name} {self._value(self.model.capacity)} {self.unit}"'],
            "I3": lambda args: [f'I3 A "{self.firmware}"'],
            "I4": lambda args: [f'I4 A "{self.serial}"'],
        }

    # ----- the wire ---------------------------------------------------
    def handle_command(self, command: str) -> None:
        tokens = command.split()
        if not tokens:
            return
        name, args = tokens[0], tokens[1:]
        if name in ("S", "SI", "SR", "@"):
            self.streaming = False
        if name == "@":
            self._queue.clear()
            self._adjust_until = None
            self.model.clear_tare()
            self.send_line(f'I4 A "{self.serial}"')
            return
        self._queue.append((name, args, time.monotonic() + self.stability_timeout))
        self._run_queue()

    def tick(self) -> None:
        with self.lock:
            if self._adjust_until is not None and time.monotonic() >= self._adjust_until:
                self._adjust_until = None
                if self.model.stable():
                    self.model.error_ppm = 0.0  # the internal weight corrects the span
                    self.send_line("C3 A")
                else:
                    self.send_line("C3 I")
            self._run_queue()
            if self.streaming:
                self.send_line(self._weight(immediate=True)[0])

    def _run_queue(self) -> None:
        while self._queue:
            name, args, deadline = self._queue[0]
            handler = self._handlers.get(name)
            lines = handler(args) if handler else ["ES"]
            if lines is None:
                if time.monotonic() < deadline:
                    return
                lines = [f"{name} I"]
            self._queue.popleft()
            for line in lines:
                self.send_line(line)

    # ----- formatting -------------------------------------------------
    def _value(self, kg: float, decimals: int | None = None) -> str:
        places = self.decimals if decimals is None else decimals
        return f"{convert(kg, 'kg', self.unit) + 0.0:.{places}f}"

    def _reply_line(self, ident: str, status: str, kg: float, decimals: int | None = None) -> str:
        return f"{ident} {status} {self._value(kg, decimals):>10} {self.unit}"

    @property
    def _busy(self) -> bool:
        return self.busy or self._adjust_until is not None

    # ----- commands ---------------------------------------------------
    def _weight(self, immediate: bool) -> Reply:
        if self._busy:
            return ["S I"]
        status = self.model.range_status()
        if status != "ok":
            return ["S +" if status == "overload" else "S -"]
        stable = self.model.stable()
        if not stable and not immediate:
            return None
        return [self._reply_line("S", "S" if stable else "D", self.model.net())]

    def _sih(self, args: list[str]) -> Reply:
        if args or not self.extended:
            return ["ES"]
        lines = self._weight(immediate=True) or []
        if not lines or lines[0][:3] not in ("S S", "S D"):
            return lines  # busy, overload or underload: as SI answers
        fine = self.model.d / EXTENDED_PER_D
        return [self._reply_line("S", lines[0][2], self.model.net(fine), decimals_of(convert(fine, "kg", self.unit)))]

    def _s(self, args: list[str]) -> Reply:
        return ["ES"] if args else self._weight(immediate=False)

    def _si(self, args: list[str]) -> Reply:
        return ["ES"] if args else self._weight(immediate=True)

    def _sir(self, args: list[str]) -> Reply:
        if args:
            return ["ES"]
        self.streaming = True
        return self._weight(immediate=True)

    def _z(self, args: list[str]) -> Reply:
        if args:
            return ["ES"]
        if self._busy:
            return ["Z I"]
        if not self.model.stable():
            return None
        return [f"Z {self._zero()}"]

    def _zi(self, args: list[str]) -> Reply:
        if args:
            return ["ES"]
        if self._busy:
            return ["ZI I"]
        stable = self.model.stable()
        result = self._zero()
        return [f"ZI {'S' if stable else 'D'}" if result == "A" else f"ZI {result}"]

    def _zero(self) -> str:
        result = self.model.zero()
        if result == "A":
            self.model.zero_point -= self.zero_setting_error
        return result

    def _t(self, args: list[str]) -> Reply:
        if args:
            return ["ES"]
        if self._busy:
            return ["T I"]
        if not self.model.stable():
            return None
        result = self.model.take_tare()
        return [self._reply_line("T", "S", self.model.tare) if result == "A" else f"T {result}"]

    def _ta(self, args: list[str]) -> Reply:
        if len(args) not in (0, 2):
            return ["ES"]
        if self._busy:
            return ["TA I"]
        if args:
            try:
                kg = convert(float(args[0]), args[1], "kg")
            except (ValueError, UnitError):  # not a number, or not a mass unit
                return ["TA L"]
            if not self.model.set_tare(kg):
                return ["TA L"]
        return [self._reply_line("TA", "A", self.model.tare)]

    def _tac(self, args: list[str]) -> Reply:
        if args:
            return ["ES"]
        if self._busy:
            return ["TAC I"]
        self.model.clear_tare()
        return ["TAC A"]

    def _c3(self, args: list[str]) -> Reply:
        if args:
            return ["ES"]
        if self._busy:
            return ["C3 I"]
        if not self.internal_weight:
            return ["C3 L"]
        self._adjust_until = time.monotonic() + self.adjust_seconds
        return ["C3 B"]

    def _i0(self, args: list[str]) -> Reply:
        names = list(LEVELS)
        return [f'I0 {"A" if name == names[-1] else "B"} {LEVELS[name]} "{name}"' for name in names]
