"""What a weighbridge pass may weigh (OIML R 76-1: stable, between Min and
Max, gross) and what two passes make."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.weighing.rules import ScaleData, WeighingRefused, net_result, pass_weight

BRIDGE = ScaleData(Decimal(60000), Decimal(20), Decimal(400), "kg", "III", "cal-1")


def reading(weight: float, unit: str = "kg", stable: bool = True, tare: float | None = None,
            status: str = "ok") -> dict:
    return {"weight": weight, "unit": unit, "stable": stable, "tare": tare, "status": status}


def test_a_stable_gross_weight_between_min_and_max_is_a_result() -> None:
    assert pass_weight(reading(400), BRIDGE) == 400          # Min = 20 e itself
    assert pass_weight(reading(38.46, "t"), BRIDGE) == Decimal("38460")
    assert pass_weight(reading(60000), BRIDGE) == 60000


@pytest.mark.parametrize("data,code", [
    (reading(380), "below_min"),                      # 19 e
    (reading(60020), "above_max"),
    (reading(24000, stable=False), "in_motion"),
    (reading(24000, tare=14000), "tare_active"),
    (reading(0, status="overload"), "out_of_range"),
    (reading(24000, unit="pcs"), "unit_mismatch"),
])
def test_what_is_no_weighing_result(data: dict, code: str) -> None:
    with pytest.raises(WeighingRefused) as refused:
        pass_weight(data, BRIDGE)
    assert refused.value.code == code


def test_gross_is_the_heavier_pass_whichever_came_first() -> None:
    loaded_first = net_result(Decimal(38460), Decimal(14220), "kg")
    empty_first = net_result(Decimal(14220), Decimal(38460), "kg")
    assert loaded_first == empty_first == {"gross": "38460", "tare": "14220", "net": "24240", "unit": "kg"}


def test_the_scale_data_come_from_its_calibration_record() -> None:
    event = {"id": "cal-9", "payload": {"record": {"instrument": {
        "max": "60000", "e": "20", "min": "400", "unit": "kg", "accuracy_class": "III", "n": 3000}}}}
    assert ScaleData.from_calibration(event) == ScaleData(Decimal(60000), Decimal(20), Decimal(400), "kg", "III",
                                                          "cal-9")


@given(st.integers(400, 60000), st.integers(400, 60000))
def test_gross_is_tare_plus_net_in_either_order(first: int, second: int) -> None:
    result = net_result(Decimal(first), Decimal(second), "kg")
    assert result == net_result(Decimal(second), Decimal(first), "kg")
    assert Decimal(result["gross"]) == Decimal(result["tare"]) + Decimal(result["net"])
    assert Decimal(result["net"]) >= 0 and Decimal(result["gross"]) == max(first, second)


@given(st.decimals(min_value=-100, max_value=70000, places=1, allow_nan=False, allow_infinity=False))
def test_a_pass_is_taken_exactly_when_it_is_between_min_and_max(weight: Decimal) -> None:
    try:
        taken = pass_weight(reading(float(weight)), BRIDGE)
    except WeighingRefused as refused:
        assert refused.code in ("below_min", "above_max") and not 400 <= weight <= 60000
    else:
        assert 400 <= taken <= 60000 and taken == weight
