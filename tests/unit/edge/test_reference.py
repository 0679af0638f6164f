"""What the reference data says about a vehicle: its declaration, watchlist hits and the risk they add up to."""

from __future__ import annotations

import pytest

from common.reference import load_reference_file
from edge.inspections.risk import score_risk
from edge.reference import look_up
from lanebox.demo import DEMO_REFERENCE


@pytest.fixture(scope="module")
def reference():
    return load_reference_file(DEMO_REFERENCE)


def test_lookup_normalises_and_scores(reference):
    found = look_up(reference, plate="KHN512")
    assert found.declaration["ref"] == "GB-DEC-0003"
    assert score_risk(found.factors) == {"score": 50, "level": "high", "reasons": [
        "watchlist: plate KHN512: intelligence: vehicle linked to tobacco smuggling (demo)"]}
    stolen_box = look_up(reference, containers=["MSKU2309611"])
    assert stolen_box.declaration is None
    assert score_risk(stolen_box.factors)["score"] == 50 + 20
    both = look_up(reference, plate="YK19ZRT", containers=["TCLU1198476"])
    assert both.declaration["ref"] == "GB-DEC-0008" and both.factors == []
    by_ref = look_up(reference, plate="KHN512", declaration_ref="GB-DEC-0001")
    assert by_ref.declaration["ref"] == "GB-DEC-0001"
    assert look_up(reference, document="L898902C3").watchlist_hits[0]["type"] == "document"
    assert reference.tariff_for("240220")["hs_prefix"] == "2402" and reference.tariff_for("999999") is None


