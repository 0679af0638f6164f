"""A lane process with a calibrated bench scale (bench-1, class III, e = 0.02 kg) beside its usual
devices, for the browser tests of seized goods: custody, samples, the CEN sections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from common.eventlog.store import EventStore
from tests.support.custody_bench import calibrate_bench_scale
from tests.support.lane_process import LaneRig, make_rig


@contextmanager
def bench_lane(root: Path, history: Callable[[EventStore], None] = calibrate_bench_scale) -> Iterator[LaneRig]:
    """The lane started on ``root`` with ``history`` (bench-1's calibration by default) in its store; closed after."""
    rig = make_rig(root, bench_scale=True, history=history)
    try:
        rig.start()
        yield rig
    finally:
        rig.close()
