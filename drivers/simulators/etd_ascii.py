"""A trace detector speaking etd-ascii, for tests and demos.

It answers ``ID?`` and ``STA?``, reports results of swabs the test (or the
demo script) puts in, and runs verifications: a verification trap of the
expected substance alarms, a blank stays clear — unless the simulator is
told to be faulty, so a failing daily check can be shown.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from drivers.simulators.device import LineCommandSimulator

#: name, class, typical amplitude, reduced mobility K0 in cm²/(V·s)
SUBSTANCES = {
    "TNT": ("explosive", 1.53),
    "RDX": ("explosive", 1.46),
    "PETN": ("explosive", 1.14),
    "cocaine": ("narcotic", 1.16),
    "heroin": ("narcotic", 1.01),
    "methamphetamine": ("narcotic", 1.65),
}


class EtdSimulator(LineCommandSimulator):
    kind = "trace"
    driver = "etd-ascii"

    def __init__(self, model: str = "SIM-IMS-500", serial: str = "ETD0001", firmware: str = "2.4.1") -> None:
        super().__init__()
        self.model, self.serial, self.firmware = model, serial, firmware
        self.state = "READY"
        self.sensitive = True  # False: misses what it should detect (a failing check)
        self._samples = 0

    def handle_command(self, command: str) -> None:
        if command == "ID?":
            self.send_line(f"ID {self.model} {self.serial} {self.firmware}")
        elif command == "STA?":
            self.send_line(f"STA {self.state} drift_temp=105.2")
        else:
            self.send_line(f"ERR unknown command {command.split()[0] if command.split() else ''}".rstrip())

    def set_state(self, state: str) -> None:
        with self.lock:
            self.state = state
            self.send_line(f"STA {state}")

    def swab(self, substances: list[tuple[str, float]] | None = None, sample_id: str | None = None,
             result: str | None = None) -> str:
        """Analyse a swab holding ``substances`` [(name, amplitude)]; returns the sample id."""
        with self.lock:
            self._samples += 1
            sample_id = sample_id or f"S{self._samples:05d}"
            found = substances if self.sensitive else []
            verdict = result or ("ALARM" if found else "CLEAR")
            tokens = [_token(name, amplitude) for name, amplitude in (found or [])]
            self.send_line(" ".join(["RES", sample_id, verdict, *tokens]))
            return sample_id

    def verify(self, trap_lot: str, substance: str | None = "RDX", amplitude: float = 480.0) -> None:
        """Run a verification: a trap with ``substance``, or a blank when None."""
        with self.lock:
            found = [(substance, amplitude)] if substance and self.sensitive else []
            passed = bool(found) == bool(substance)
            tokens = [_token(name, amp) for name, amp in found]
            self.send_line(" ".join(["VER", trap_lot, "PASS" if passed else "FAIL", *tokens]))

    def run_demo(self, stop: threading.Event, rng: random.Random, pace: float = 1.0) -> None:
        """A swab every 15-30 s, mostly clear: about one in twelve alarms (an alarm every few minutes,
        often enough to see one, rare enough that red still means something)."""
        while not stop.wait(rng.uniform(15, 30) * pace):
            if rng.random() < 1 / 12:
                name = rng.choice(list(SUBSTANCES))
                self.swab([(name, round(rng.uniform(150, 900), 1))])
            else:
                self.swab([])


def _token(name: str, amplitude: float) -> str:
    klass, k0 = SUBSTANCES.get(name, ("other", None))
    parts: list[Any] = [name, klass, f"{amplitude:.1f}"]
    if k0 is not None:
        parts.append(f"{k0:.3f}")
    return ":".join(str(p) for p in parts)
