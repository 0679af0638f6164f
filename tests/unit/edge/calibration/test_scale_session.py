"""The scale calibration session's bookkeeping of the two reading methods,
without a scale: what a changeover point waits for, when it starts over,
and an extended reading that is not of the stated resolution."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edge.calibration.oiml_r76 import Instrument
from edge.calibration.reading_method import ReadingMethod
from edge.calibration.scale import CalibrationError, ChangeoverLost, ResolutionError, ScaleCalibration

D = Decimal
SCALE = Instrument.of(60000, 20, "III")


def session(method: ReadingMethod) -> ScaleCalibration:
    return ScaleCalibration(device_id="scale-1", instrument=SCALE, unit="kg", weights=[], started_by="tom",
                            started_at="2026-11-29T10:00:00Z", method=method)


def test_a_changeover_point_waits_for_i_plus_e_and_corrects_later_points_by_e0() -> None:
    calibration = session(ReadingMethod.changeover(SCALE))
    calibration.record(D(0), {})
    for _ in range(2):
        calibration.add_small_weight(D(0), {})
    zero = calibration.add_small_weight(D(20), {})  # turned at +6 kg: E0 = 10 - 6 = 4 kg
    assert zero.result.error == 4 and zero.result.passed and calibration.e0 == 4
    calibration.record(D(20020), {})  # the first eccentricity point, 20 000 kg
    assert calibration.as_dict()["next"]["target"] == "20040"
    for _ in range(3):
        calibration.add_small_weight(D(20020), {})
    point = calibration.add_small_weight(D(20040), {})  # +8 kg: E = 22 kg, Ec = 18 kg
    assert (point.result.error, point.result.corrected, point.result.passed) == (22, 18, True)


def test_a_changeover_that_never_turns_starts_over() -> None:
    calibration = session(ReadingMethod.changeover(SCALE))
    calibration.record(D(0), {})
    for _ in range(9):
        calibration.add_small_weight(D(0), {})
    with pytest.raises(ChangeoverLost, match="did not turn after 20 kg"):
        calibration.add_small_weight(D(0), {})
    assert calibration.next_point.indication is None and calibration.next_point.small_weights == []
    with pytest.raises(CalibrationError, match="read the point"):
        calibration.add_small_weight(D(20), {})


def test_an_extended_reading_must_be_of_the_stated_resolution() -> None:
    calibration = session(ReadingMethod.extended(SCALE, D(2), "SIH"))
    with pytest.raises(ResolutionError):
        calibration.record(D("0.5"), {})
    assert calibration.next_point.reading is None
    assert calibration.record(D(4), {}).result.error == 4
    with pytest.raises(CalibrationError, match="read the point"):
        calibration.add_small_weight(D(20), {})
