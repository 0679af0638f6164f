"""The demo lanes' bench scale: a small MT-SICS scale for seized goods, with goods set on it.

A lane weighs seized goods on a bench scale, never on the weighbridge
(docs/officer-api.md). The demo gives each lane one (60 kg by 20 g, as a
parcel scale) on a pseudo-terminal; as nobody can set a parcel on a
simulated scale, the demo does: a few kilograms of goods stand on it most of
the time and are taken off now and then, so the seizure form's "From
bench-1" has a weight to take.
"""

from __future__ import annotations

import random
import threading

from drivers.simulators.load import LoadDriven, LoadModel
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from drivers.simulators.runner import RunningSimulator

CAPACITY_KG = 60.0
D_KG = 0.02
GOODS_KG = (0.4, 25.0)
ON_S = (40.0, 80.0)
OFF_S = (10.0, 20.0)


def start_bench_scale(pace: float = 1.0, seed: int | None = None) -> RunningSimulator:
    """The bench scale on a new pty with goods set on and taken off; ``stop()`` ends both."""
    simulator = MtSicsSimulator(LoadModel(capacity=CAPACITY_KG, d=D_KG), type_name="SIM-BENCH60")
    port = PtyPort(simulator).start()
    stop = threading.Event()
    thread = threading.Thread(target=set_goods_on, args=(simulator, stop, random.Random(seed), pace),
                              name="demo-bench", daemon=True)
    thread.start()
    return RunningSimulator(simulator, port, stop, thread)


def set_goods_on(bench: LoadDriven, stop: threading.Event, rng: random.Random, pace: float) -> None:
    """Goods on (set down in a second, steady soon after), left a while, taken off, until ``stop``."""
    while not stop.is_set():
        bench.model.drive_on(round(rng.uniform(*GOODS_KG), 2), 1.0 * pace, 1.0 * pace)
        if stop.wait(rng.uniform(*ON_S) * pace):
            return
        bench.model.drive_off(0.5 * pace, 0.5 * pace)
        if stop.wait(rng.uniform(*OFF_S) * pace):
            return
