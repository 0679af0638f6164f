"""OIML R 76-1 maximum permissible errors against the table in
docs/protocols.md section 6, at every band boundary, class III and IIII."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edge.calibration.oiml_r76 import Instrument, R76Error, judge, mpe, repeatability, weighing_plan, zero_test

D = Decimal


@pytest.mark.parametrize("cls,load_in_e,mpe_in_e", [
    ("III", 0, "0.5"), ("III", 500, "0.5"), ("III", 501, "1.0"), ("III", 2000, "1.0"),
    ("III", 2001, "1.5"), ("III", 10000, "1.5"),
    ("IIII", 0, "0.5"), ("IIII", 50, "0.5"), ("IIII", 51, "1.0"), ("IIII", 200, "1.0"),
    ("IIII", 201, "1.5"), ("IIII", 1000, "1.5"),
])
def test_mpe_at_every_band_boundary(cls, load_in_e, mpe_in_e):
    e = D("20")
    assert mpe(load_in_e * e, e, cls) == D(mpe_in_e) * e
    assert mpe(load_in_e * e, e, cls, in_service=True) == 2 * D(mpe_in_e) * e


@pytest.mark.parametrize("cls,just_above", [("III", "500.5"), ("III", "2000.5"), ("IIII", "50.5"),
                                             ("IIII", "200.5")])
def test_the_step_happens_just_above_the_boundary(cls, just_above):
    e = D("1")
    below = mpe(D(just_above) - D("0.5"), e, cls)
    assert mpe(D(just_above), e, cls) == below + D("0.5")


@pytest.mark.parametrize("cls,beyond", [("III", 10001), ("IIII", 1001)])
def test_a_load_beyond_the_class_is_refused(cls, beyond):
    with pytest.raises(R76Error):
        mpe(beyond, 1, cls)


def test_the_vehicle_scale_example_from_protocols_md():
    scale = Instrument.of(60000, 20, "III")  # 60 t, e = 20 kg, n = 3000
    assert scale.n == 3000 and scale.min_capacity == 400
    assert [scale.mpe(x) for x in (10000, 10020, 40000, 40020, 60000)] == [10, 20, 20, 30, 30]
    assert [scale.mpe(x, in_service=True) for x in (10000, 40000, 60000)] == [20, 40, 60]
    assert scale.change_points() == [10000, 40000]


@pytest.mark.parametrize("args,words", [
    ((60000, 20, "II"), "class"), ((60010, 20, "III"), "whole number"),
    ((60000, 30, "III"), "1, 2 or 5"), ((2000, 20, "III"), "outside 500..10000"),
    ((600, "0.001", "IIII"), "at least 5 g"), ((20, "0.01", "IIII"), "outside 100..1000"),
])
def test_instruments_outside_r76_are_refused(args, words):
    with pytest.raises(R76Error, match=words):
        Instrument.of(*args)


def test_judging_indications_with_the_zero_correction_and_changeover_method():
    scale = Instrument.of(60000, 20, "III")
    assert judge(scale, 10000, 10010).passed and not judge(scale, 10000, 10020).passed
    corrected = judge(scale, 10000, 10020, e0=10)  # a zero error of +10 kg is taken out
    assert corrected.error == 20 and corrected.corrected == 10 and corrected.passed
    changeover = judge(scale, 20000, 20000, extra=4)  # P = I + e/2 - dL = 20006
    assert changeover.error == 6 and changeover.passed
    assert zero_test(scale, 5).passed and not zero_test(scale, 6).passed


def test_repeatability_checks_spread_and_each_point():
    scale = Instrument.of(60000, 20, "III")
    ok, spread, _ = repeatability(scale, 30000, [30000, 30020, 30000])
    assert ok and spread == 20
    wide, spread, _ = repeatability(scale, 30000, [29990, 30020, 30000])
    assert not wide and spread == 30
    with pytest.raises(R76Error):
        repeatability(scale, 30000, [30000, 30000])


def test_weighing_plan_covers_min_change_points_and_max():
    scale = Instrument.of(60000, 20, "III")
    plan = weighing_plan(scale)
    assert len(plan) >= 5 and plan[0] == scale.min_capacity and plan[-1] == 60000
    assert {10000, 40000} <= set(plan)
    assert all(load % 20 == 0 for load in plan)
