"""The inspection view folded from its events: a weighbridge transaction's net
is what the declared weight is judged by, not one pass on the scale."""

from __future__ import annotations

from typing import Any

from edge.inspections.rules import assess_weight
from edge.inspections.view import inspection_view

DECLARED_KG = 24_000


def event(seq: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "id": f"e{seq}", "type": kind, "ts": f"2026-11-29T10:00:{seq:02d}.000Z", "actor": "olga",
            "hash": f"{seq:064x}", "payload": payload}


def started() -> dict[str, Any]:
    return event(1, "inspection.started", {
        "inspection_id": "i-1", "plate": "KHN512", "containers": [], "declaration_ref": "D-1",
        "inspection_type": "standard", "declaration": {"gross_weight_kg": DECLARED_KG}, "reference_version": "v1",
        "watchlist_hits": [], "checklist": [], "risk_factors": []})


def one_pass(seq: int, kg: float) -> dict[str, Any]:
    reading = {"device_id": "scale-1", "kind": "scale", "ts": "2026-11-29T10:00:00.000Z",
               "data": {"weight": kg, "unit": "kg", "stable": True}}
    return event(seq, "reading.attached", {"reading": reading,
                                           "assessment": assess_weight(reading["data"], DECLARED_KG, 5.0)})


def completed_weighing(seq: int, net_kg: float) -> dict[str, Any]:
    return event(seq, "weighing.second", {
        "transaction_id": "w-1", "inspection_id": "i-1",
        "result": {"gross": "38460", "tare": str(38460 - net_kg), "net": str(net_kg), "unit": "kg"},
        "assessment": assess_weight({"weight": net_kg, "unit": "kg"}, DECLARED_KG, 5.0)})


def codes(view: dict[str, Any]) -> list[str]:
    return [flag["code"] for flag in view["flags"]]


def test_a_single_pass_of_the_loaded_lorry_flags_a_discrepancy_until_a_transaction_weighs_the_net() -> None:
    loaded = [started(), one_pass(2, 38_460)]  # the gross on the platform, against a declared net-ish weight
    view = inspection_view(loaded)
    assert view is not None and codes(view) == ["weight_discrepancy"] and view["weighings"] == []
    view = inspection_view([*loaded, completed_weighing(3, 24_240)])
    assert view is not None and codes(view) == []  # the net agrees with the declaration
    assert [w["result"]["net"] for w in view["weighings"]] == ["24240"]


def test_a_transactions_net_that_disagrees_is_flagged_on_the_transaction() -> None:
    view = inspection_view([started(), one_pass(2, 24_100), completed_weighing(3, 30_000)])
    assert view is not None and [(f["code"], f["event_id"]) for f in view["flags"]] == [("weight_discrepancy", "e3")]
