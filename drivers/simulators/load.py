"""What both scale simulators share: a platform, a load cell, an indicator.

:class:`LoadModel` says what is on the platform over time (a lorry driving
on is a ramp, then a few damped oscillations, then a steady load) and what
the indicator makes of it: a gain and an offset error (so a failing
calibration can be shown), a zero point, a tare, rounding to the display
resolution d, motion, and overload/underload. The protocol simulators
only format what it says.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable


@dataclass(frozen=True)
class _Move:
    """The load going from ``origin`` to ``target``: a ramp, then settling."""

    start: float
    origin: float
    target: float
    ramp: float
    settle: float
    amplitude: float
    hertz: float = 1.2

    def load(self, now: float) -> float:
        t = now - self.start
        if t < self.ramp:
            return self.origin + (self.target - self.origin) * max(t, 0.0) / self.ramp
        t -= self.ramp
        if t >= self.settle or self.amplitude == 0:
            return self.target
        # decays to a twentieth of the amplitude by the end of settling
        decay = math.exp(-3.0 * t / self.settle)
        return self.target + self.amplitude * decay * math.sin(2 * math.pi * self.hertz * t)

    def stable(self, now: float) -> bool:
        return now >= self.start + self.ramp + self.settle


def decimals_of(step: float) -> int:
    """How many decimals a display counting in ``step`` shows (20 → 0, 0.05 → 2)."""
    return max(0, -int(Decimal(str(step)).normalize().as_tuple().exponent))


class LoadModel:
    """A weighing instrument's physics and indicator, in kg.

    ``capacity`` is Max and ``d`` the display resolution (the defaults are
    a class III vehicle scale: 60 t by 20 kg). Zero-setting is allowed
    within ±2 % of Max around the power-up zero (OIML R 76); the indicator
    shows overload above Max + 9 d and underload below −20 d.
    """

    zero_range = 0.02
    settle_seconds = 2.0

    def __init__(self, capacity: float = 60_000.0, d: float = 20.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.d = d
        self.decimals = decimals_of(d)
        self.error_ppm = 0.0   # gain error of the load cell, parts per million
        self.offset = 0.0      # zero error in kg
        self.zero_point = 0.0  # raw indication taken as zero
        self.tare = 0.0        # 0: the indicator shows gross
        self._clock = clock
        self._lock = threading.RLock()
        self._move = _Move(clock(), 0.0, 0.0, 0.0, 0.0, 0.0)

    # ----- what is on the platform -------------------------------------
    def set_load(self, kg: float, settle: bool = True) -> None:
        """Put ``kg`` on at once; ``settle=False`` leaves it swinging for a while."""
        self._go(kg, ramp=0.0, settle=0.0 if settle else self.settle_seconds)

    def drive_on(self, target_kg: float, seconds: float, settle: float | None = None) -> None:
        """A vehicle rolls on over ``seconds``, then settles."""
        self._go(target_kg, ramp=seconds, settle=self.settle_seconds if settle is None else settle)

    def drive_off(self, seconds: float, settle: float | None = None) -> None:
        self.drive_on(0.0, seconds, settle)

    def _go(self, target: float, ramp: float, settle: float) -> None:
        with self._lock:
            now = self._clock()
            origin = self._move.load(now)
            amplitude = max(3 * self.d, 0.015 * abs(target - origin)) if settle else 0.0
            self._move = _Move(now, origin, target, ramp, settle, amplitude)

    def load(self) -> float:
        """The true load on the platform now, kg."""
        return self._move.load(self._clock())

    def stable(self) -> bool:
        return self._move.stable(self._clock())

    def set_error(self, error_ppm: float = 0.0, offset: float = 0.0) -> None:
        """Make the instrument read wrong: gain error in ppm, zero error in kg."""
        with self._lock:
            self.error_ppm, self.offset = error_ppm, offset

    # ----- the indicator ----------------------------------------------
    def _raw(self) -> float:
        return self.load() * (1 + self.error_ppm / 1e6) + self.offset

    def _round(self, kg: float, resolution: float | None = None) -> float:
        step = resolution or self.d
        return round(round(kg / step) * step, decimals_of(step)) + 0.0  # + 0.0: no "-0"

    def gross(self) -> float:
        with self._lock:
            return self._round(self._raw() - self.zero_point)

    def net(self, resolution: float | None = None) -> float:
        """The net indication, to d, or to a finer ``resolution`` (an extended,
        service-mode display)."""
        with self._lock:
            return self._round(self._raw() - self.zero_point - self.tare, resolution)

    def range_status(self) -> str:
        """``ok``, ``overload`` (above Max + 9 d) or ``underload`` (below −20 d)."""
        with self._lock:
            gross = self._raw() - self.zero_point
        if gross > self.capacity + 9 * self.d:
            return "overload"
        return "underload" if gross < -20 * self.d else "ok"

    def zero(self) -> str:
        """Zero-set: ``A`` done (the tare goes too), ``+``/``-`` out of the zero range."""
        with self._lock:
            raw = self._raw()
            limit = self.zero_range * self.capacity
            if raw > limit:
                return "+"
            if raw < -limit:
                return "-"
            self.zero_point, self.tare = raw, 0.0
            return "A"

    def take_tare(self) -> str:
        """Tare what is on: ``A``; ``+`` overloaded, ``-`` below zero."""
        with self._lock:
            status = self.range_status()
            gross = self.gross()
            if status == "overload":
                return "+"
            if status == "underload" or gross < 0:
                return "-"
            self.tare = gross
            return "A"

    def set_tare(self, kg: float) -> bool:
        """Preset a tare; False if it is not within 0..Max."""
        if not 0 <= kg <= self.capacity:
            return False
        with self._lock:
            self.tare = self._round(kg)
        return True

    def clear_tare(self) -> None:
        with self._lock:
            self.tare = 0.0


class LoadDriven:
    """The Python API both scale simulators give tests and demo scripts."""

    model: LoadModel

    def set_load(self, kg: float, settle: bool = True) -> None:
        self.model.set_load(kg, settle)

    def drive_on(self, target_kg: float, seconds: float) -> None:
        self.model.drive_on(target_kg, seconds)

    def drive_off(self, seconds: float) -> None:
        self.model.drive_off(seconds)

    def set_error(self, error_ppm: float = 0.0, offset: float = 0.0) -> None:
        self.model.set_error(error_ppm, offset)

    def run_demo(self, stop: threading.Event, rng: random.Random, pace: float = 1.0) -> None:
        """Lorries, one after another: drive on (a few seconds, dynamic), settle,
        stand ~10 s, drive off, then the platform stays empty for a while.
        ``pace`` scales every duration (0.1 for a fast demo)."""
        model = self.model
        while not stop.is_set():
            target = round(rng.uniform(10_000, 44_000) / 10) * 10
            ramp, settle = rng.uniform(3, 5) * pace, rng.uniform(2, 3) * pace
            model.drive_on(target, ramp, settle)
            if stop.wait(ramp + settle + rng.uniform(9, 11) * pace):
                return
            ramp, settle = rng.uniform(3, 5) * pace, 1.0 * pace
            model.drive_off(ramp, settle)
            if stop.wait(ramp + settle + rng.uniform(5, 15) * pace):
                return


class FrontPanelKeys(LoadDriven):
    """A scale that only streams: zero and tare are keys pressed at the
    indicator, which tests and demo scripts press here."""

    def zero(self) -> str:
        """``A`` done, ``+``/``-`` out of the zero range (the display would say so)."""
        return self.model.zero()

    def tare(self) -> str:
        return self.model.take_tare()

    def clear_tare(self) -> None:
        self.model.clear_tare()
