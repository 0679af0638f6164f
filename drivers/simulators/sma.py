"""An indicator answering SMA SCP-0499 (levels 1 and 2) as docs/protocols.md section 7 says.

Commands arrive as ``<LF>c<CR>``; bytes outside that frame are ignored and
``<ESC>`` aborts whatever is going on, unanswered. Each answer is
``<LF>...<CR>``: the weight frame for W, H, P, Z, T, C and M, the about
and information lines for A/B and I/N, the four diagnostic flags for D,
``?`` for what the scale does not know and ``!`` for a command with a
character that is not printable ASCII (as a parity or framing error
would be). P, Z and T wait up to ``stability_timeout`` for the load to
settle, holding the commands behind them; R repeats the weight at every
tick until the next command.
"""

from __future__ import annotations

import time
from collections import deque
from decimal import Decimal

from drivers.simulators.device import DeviceSimulator
from drivers.simulators.load import LoadDriven, LoadModel
from drivers.sma import CR, ESC, LF, encode_sma_frame

#: the level-2 commands listed in the CMD information line (level-1 ones are not listed)
LEVEL_2 = "HPTMCRI"
_NO_WEIGHT = " 1{mode} " + "-" * 10 + "   "


class SmaSimulator(LoadDriven, DeviceSimulator):
    """A vehicle scale (the load model's 60 t by 20 kg) speaking SMA, in kg."""

    kind = "scale"
    driver = "sma"
    tick_interval = 0.1          # the repeat rate of R, and how often waiting commands are looked at
    stability_timeout = 3.0      # P, Z and T give up after this

    def __init__(self, model: LoadModel | None = None, *, maker: str = "SIMULATED SCALES",
                 model_name: str = "SIM-SMA60", software: str = "2.04") -> None:
        super().__init__()
        self.model = model or LoadModel()
        self.about = ["SMA:2/1.0", f"MFG:{maker}", f"MOD:{model_name}", f"REV:{software}"]
        self.information = ["SMA:2/1.0", "TYP:S",
                            f"CAP:kg :{self._value(self.model.capacity)}:{self._count_by()}:{self.model.decimals}",
                            f"CMD:{LEVEL_2}", "END:"]
        self.diagnostic = "    "    # R, E, C, M flags; four spaces: all well
        self.repeating = False       # R running
        self._scroll: list[str] = []  # what B or N gives next
        self._scroll_of = ""          # "A" or "I": which list B/N scrolls
        self._command: bytearray | None = None  # between <LF> and <CR>
        self._queue: deque[tuple[str, float]] = deque()

    # ----- the wire ---------------------------------------------------
    def receive(self, data: bytes) -> None:
        super().receive(data)
        with self.lock:
            for byte in data:
                if byte == ESC[0]:
                    self._abort()
                elif byte == LF[0]:
                    self._command = bytearray()
                elif byte == CR[0] and self._command is not None:
                    command, self._command = bytes(self._command), None
                    self._take(command)
                elif self._command is not None and len(self._command) < 64:
                    self._command.append(byte)

    def tick(self) -> None:
        with self.lock:
            self._run_queue()
            if self.repeating and not self._queue:
                self.send(self._weight_frame())

    def _abort(self) -> None:
        self._command = None
        self._queue.clear()
        self.repeating = False

    def _take(self, command: bytes) -> None:
        self.repeating = False  # any command ends R
        if any(not 0x20 < b < 0x7F for b in command) or not command:
            self._answer("!")
            return
        self._queue.append((command.decode("ascii"), time.monotonic() + self.stability_timeout))
        self._run_queue()

    def _answer(self, text: str) -> None:
        self.send(LF + text.encode("ascii") + CR)

    def _run_queue(self) -> None:
        while self._queue:
            command, deadline = self._queue[0]
            if command in ("P", "Z", "T") and not self.model.stable() and time.monotonic() < deadline:
                return
            self._queue.popleft()
            self._do(command)

    # ----- formatting -------------------------------------------------
    def _value(self, kg: float) -> str:
        return f"{kg + 0.0:.{self.model.decimals}f}"

    def _count_by(self) -> int:
        """The least significant count-by digit of d (1, 2 or 5)."""
        digits = f"{self.model.d:.{self.model.decimals}f}".replace(".", "").strip("0")
        return int(digits[-1]) if digits else 1

    def _weight_frame(self, *, high_resolution: bool = False, status: str | None = None) -> bytes:
        model = self.model
        net = model.tare != 0
        mode = "N" if net else "G"
        weight = model.net() if net else model.gross()
        decimals = model.decimals
        if high_resolution:  # ten times finer than the display
            step = Decimal(str(model.d)) / 10
            raw = model.load() * (1 + model.error_ppm / 1e6) + model.offset - model.zero_point - model.tare
            decimals = max(0, -int(step.normalize().as_tuple().exponent))
            weight = round(round(raw / float(step)) * float(step), decimals)
            mode = mode.lower()
        if status is None:
            status = {"overload": "O", "underload": "U"}.get(model.range_status(), " ")
            if status == " " and model.gross() == 0:
                status = "Z"
        return encode_sma_frame(weight, "kg", decimals=decimals, status=status, mode=mode,
                                motion=not model.stable())

    # ----- commands ---------------------------------------------------
    def _do(self, command: str) -> None:
        model = self.model
        if command in ("W", "R"):
            self.send(self._weight_frame())
            self.repeating = command == "R"
        elif command == "H":
            self.send(self._weight_frame(high_resolution=True))
        elif command == "P":
            if model.stable():
                self.send(self._weight_frame())
            else:
                self._answer(_NO_WEIGHT.format(mode="N" if model.tare else "G"))
        elif command == "Z":
            result = model.zero() if model.stable() else "-"
            self.send(self._weight_frame(status="Z" if result == "A" else "E"))
        elif command == "T":
            result = model.take_tare() if model.stable() else "-"
            self.send(self._weight_frame(status=None if result == "A" else "T"))
        elif command == "C":
            model.clear_tare()
            self.send(self._weight_frame())
        elif command == "M":
            self.send(encode_sma_frame(model.tare, "kg", decimals=model.decimals, mode="T"))
        elif command == "D":
            self._answer(self.diagnostic)
        elif command in ("A", "I"):
            lines = self.about if command == "A" else self.information
            self._scroll, self._scroll_of = list(lines[1:]), command
            self._answer(lines[0])
        elif command in ("B", "N") and self._scroll and self._scroll_of == {"B": "A", "N": "I"}[command]:
            self._answer(self._scroll.pop(0))
        else:
            self._answer("?")
