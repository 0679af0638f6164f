"""A Rapiscan-type vehicle radiation portal monitor, for tests and demos.

Every 200 ms, while the lane is empty, it sends the gamma and neutron
background (``GB``/``NB``: Poisson counts around a few hundred counts per
second per gamma detector and a few neutron counts); a vehicle driven
through (:meth:`RapiscanSimulator.drive_vehicle`) sends a ``GS``/``NS``
pair per 200 ms — ``GA``/``NA`` while its source raises the counts past
the alarm threshold — then ``SP`` (its speed) and ``GX`` (the occupancy
has ended). Tamper (``TT``/``TC``) and background faults (``GH``, ``GL``,
``NH`` in place of the background lines) are switched on demand. The
lines are written from docs/protocols.md section 11 (the fields OSCAR
reads), not from lanebox's parser.
"""

from __future__ import annotations

import math
import random
import threading
from collections import deque
from dataclasses import dataclass

from drivers.simulators.device import DeviceSimulator

LINE_SECONDS = 0.2
DETECTORS = 4
#: how strongly each kind of load shows on the four gamma detectors (two per pillar; the source
#: rides nearer the driver's side) and on the neutron tubes, in counts per second at its peak
LOADS = {
    "clean": {"gamma_cps": 0.0, "neutron_cps": 0.0, "width": 0.0},
    "gamma": {"gamma_cps": 2500.0, "neutron_cps": 0.0, "width": 0.12},   # a point source (Cs-137 in a parcel)
    "norm": {"gamma_cps": 450.0, "neutron_cps": 0.0, "width": 0.0},      # spread through the load (tiles, fertiliser)
    "neutron": {"gamma_cps": 0.0, "neutron_cps": 45.0, "width": 0.15},   # a neutron source (Cf-252, AmBe)
}
SIDE_WEIGHTS = (1.0, 0.85, 0.45, 0.4)
SHIELDING = 0.85
"""A vehicle in the lane hides part of the background from the detectors (shadow shielding)."""
ALARM_SIGMA = 6.0
FAULT_LINES = {"GH": "gamma", "GL": "gamma", "NH": "neutron"}


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method for small means, the normal approximation for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def line(head: str, *values: int) -> bytes:
    """One CSV line as the monitor writes it: zero-padded fields, CR LF."""
    return (",".join([head, *(f"{v:06d}" for v in values)]) + "\r\n").encode("ascii")


@dataclass
class _Vehicle:
    load: str
    ticks: int
    speed_kmh: float | None
    done: int = 0


class RapiscanSimulator(DeviceSimulator):
    kind = "radiation"
    driver = "rapiscan-lines"
    tick_interval = LINE_SECONDS

    def __init__(self, gamma_background_cps: int = 260, neutron_background_cps: float = 2.0,
                 seed: int | None = None) -> None:
        super().__init__()
        self.gamma_background_cps = gamma_background_cps
        self.neutron_background_cps = neutron_background_cps
        self.rng = random.Random(seed)
        self.occupancies = 0  # the monitor's count of vehicles, as GX reports it
        self.faults: dict[str, str] = {}  # "gamma"/"neutron" → the fault line sent instead of the background
        self._queue: deque[_Vehicle] = deque()

    # ----- what a test or the demo does ------------------------------------------------
    def drive_vehicle(self, kind: str = "clean", seconds: float = 3.0, speed_kmh: float | None = 8.0) -> None:
        """Send a vehicle through (after any already driving): ``kind`` is clean, gamma, norm or neutron."""
        if kind not in LOADS:
            raise ValueError(f"kind must be one of {', '.join(LOADS)}")
        with self.lock:
            self._queue.append(_Vehicle(kind, max(1, round(seconds / LINE_SECONDS)), speed_kmh))

    @property
    def occupied(self) -> bool:
        with self.lock:
            return bool(self._queue)

    def tamper(self) -> None:
        self.send(b"TT\r\n")

    def clear_tamper(self) -> None:
        self.send(b"TC\r\n")

    def fault(self, code: str) -> None:
        """Send ``GH``, ``GL`` or ``NH`` in place of that background until :meth:`clear_fault`."""
        if code not in FAULT_LINES:
            raise ValueError(f"fault must be one of {', '.join(FAULT_LINES)}")
        with self.lock:
            self.faults[FAULT_LINES[code]] = code

    def clear_fault(self) -> None:
        with self.lock:
            self.faults.clear()

    def send_setup(self) -> None:
        """The setup lines the monitor sends: thresholds, discriminators, versions (as OSCAR reads them)."""
        self.send(b"SG1,000300,000080,000005,000003,6.0,0\r\n"
                  b"SG2,4,0.080,3.000,000001,SUM,4.2.1\r\n"
                  b"SG3,0.050,0.300,000020,4.0,2.13\r\n"
                  b"SN1,000050,000005,000006,000003,000004,000020\r\n"
                  b"SN2,0.200,2.500,0.200,2.500\r\n")

    # ----- the monitor's own clock ---------------------------------------------------------
    def tick(self) -> None:
        with self.lock:
            vehicle = self._queue[0] if self._queue else None
            if vehicle is None:
                self.send(self._background_lines())
                return
            self.send(self._scan_lines(vehicle))
            vehicle.done += 1
            if vehicle.done >= vehicle.ticks:
                self._queue.popleft()
                self.send(self._end_lines(vehicle))

    def _background_lines(self) -> bytes:
        gamma_mean = self.gamma_background_cps * {"GH": 4.0, "GL": 0.1}.get(self.faults.get("gamma", ""), 1.0)
        neutron_mean = self.neutron_background_cps * (10.0 if "neutron" in self.faults else 1.0)
        gamma = [poisson(self.rng, gamma_mean) for _ in range(DETECTORS)]
        neutron = [poisson(self.rng, neutron_mean) for _ in range(DETECTORS)]
        return line(self.faults.get("gamma", "GB"), *gamma) + line(self.faults.get("neutron", "NB"), *neutron)

    def _scan_lines(self, vehicle: _Vehicle) -> bytes:
        load = LOADS[vehicle.load]
        where = (vehicle.done + 0.5) / vehicle.ticks  # how far along the vehicle is, 0 to 1
        shape = 1.0 if load["width"] == 0 else math.exp(-(((where - 0.5) / load["width"]) ** 2))
        gamma_base = self.gamma_background_cps * SHIELDING * LINE_SECONDS
        gamma_extra = [load["gamma_cps"] * shape * w * LINE_SECONDS for w in SIDE_WEIGHTS]
        neutron_base = self.neutron_background_cps * LINE_SECONDS
        neutron_extra = [load["neutron_cps"] * shape * w * LINE_SECONDS for w in SIDE_WEIGHTS]
        gamma = [poisson(self.rng, gamma_base + extra) for extra in gamma_extra]
        neutron = [poisson(self.rng, neutron_base + extra) for extra in neutron_extra]
        # the monitor alarms when the source's expected counts stand out of the background's spread
        gamma_alarm = max(gamma_extra) > ALARM_SIGMA * math.sqrt(gamma_base) / 2
        neutron_alarm = max(neutron_extra) > ALARM_SIGMA * math.sqrt(max(neutron_base, 1.0)) / 2
        return line("GA" if gamma_alarm else "GS", *gamma) + line("NA" if neutron_alarm else "NS", *neutron)

    def _end_lines(self, vehicle: _Vehicle) -> bytes:
        self.occupancies += 1
        end = b""
        if vehicle.speed_kmh is not None:
            seconds = 2.5 / max(vehicle.speed_kmh / 3.6, 0.1)  # time between the two beams 2.5 m apart
            end += f"SP,{seconds:.4f},{vehicle.speed_kmh / 1.609344:04.1f},{vehicle.speed_kmh:04.1f}\r\n".encode()
        return end + line("GX", self.occupancies, round(self.neutron_background_cps * 1000))

    def run_demo(self, stop: threading.Event, rng: random.Random, pace: float = 1.0) -> None:
        """Vehicles every 10-25 s: mostly clean, NORM cargo now and then, rarely a source; a tamper now and then."""
        self.send_setup()
        while not stop.wait(rng.uniform(10, 25) * pace):
            roll = rng.random()
            kind = "clean" if roll < 0.7 else "norm" if roll < 0.85 else "gamma" if roll < 0.93 else "neutron"
            self.drive_vehicle(kind, seconds=max(1.0, rng.uniform(3, 7) * pace), speed_kmh=round(rng.uniform(5, 12), 1))
            if rng.random() < 0.03:
                self.tamper()
                if not stop.wait(5 * pace):
                    self.clear_tamper()
