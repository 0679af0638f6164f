"""What the lane makes of an attached reading, and the views folded from
events — pure functions, no server."""

from __future__ import annotations

import datetime as dt

from common.custody import bag_id_for, bag_state, custody_refusal
from drivers.simulators.mrz_reader import ICAO_SPECIMENS, td3
from drivers.validation.mrz import parse_mrz
from edge.inspections.risk import score_risk
from edge.inspections.rules import (
    assess_document,
    assess_reading,
    assess_trace,
    assess_weight,
    flag_factors,
    unanswered_flags,
)

TODAY = dt.date(2026, 11, 28)
WATCHED = {("document", "L898902C3"): [{"type": "document", "value": "L898902C3", "reason": "stolen",
                                         "severity": "high"}]}


def watch(kind: str, value: str) -> list[dict]:
    return WATCHED.get((kind, value), [])


def codes(assessment: dict) -> list[str]:
    return [f["code"] for f in assessment["flags"]]


def test_weight_within_and_beyond_tolerance():
    within = assess_weight({"weight": 10250.0, "unit": "kg", "stable": True}, 9800, 5.0)
    assert within["difference_pct"] == 4.59 and codes(within) == []
    beyond = assess_weight({"weight": 12.5, "unit": "t", "stable": True}, 9800, 5.0)
    assert (beyond["measured_kg"], beyond["difference_kg"], beyond["difference_pct"]) == (12500.0, 2700.0, 27.55)
    assert codes(beyond) == ["weight_discrepancy"] and "+27.6 %" in beyond["flags"][0]["message"]
    light = assess_weight({"weight": 9000.0, "unit": "kg"}, 9800, 5.0)
    assert codes(light) == ["weight_discrepancy"]
    undeclared = assess_weight({"weight": 9000.0, "unit": "kg"}, None, 5.0)
    assert codes(undeclared) == [] and undeclared["note"]
    assert assess_weight({"weight": None, "unit": "kg"}, 9800, 5.0)["measured_kg"] is None


def test_trace_alarm_proposes_referral():
    alarm = assess_trace({"result": "alarm", "substances": [{"name": "cocaine", "class": "narcotic",
                                                              "amplitude": 420.0}]})
    assert alarm["propose_referral"] is True and codes(alarm) == ["trace_alarm"]
    assert "cocaine (narcotic)" in alarm["flags"][0]["message"]
    clear = assess_trace({"result": "clear", "substances": []})
    assert clear["propose_referral"] is False and codes(clear) == []
    assert "note" in assess_trace({"result": "fault", "substances": []})


def test_the_icao_specimen_is_expired_and_watchlisted():
    assessment = assess_document(parse_mrz(list(ICAO_SPECIMENS[0]), today=TODAY), TODAY, watch)
    assert assessment["document_number"] == "L898902C3" and assessment["valid"] is True
    assert assessment["expiry_date"] == "2012-04-15" and assessment["expired"] is True
    assert codes(assessment) == ["document_expired", "document_watchlisted"]


def test_a_misread_zone_is_invalid_and_a_good_one_passes():
    lines = td3("P", "GBR", "HALLORAN", "BRIDGET", "543219876", "GBR", dt.date(1987, 3, 14), "F",
                dt.date(2031, 6, 2))
    assert codes(assess_document(parse_mrz(lines, today=TODAY), TODAY, watch)) == []
    misread = [lines[0], lines[1][:9] + "0" + lines[1][10:]]
    assert codes(assess_document(parse_mrz(misread, today=TODAY), TODAY, watch)) == ["document_invalid"]


def test_readings_without_rules_raise_nothing():
    assert assess_reading("barcode", {"text": "CSQU3054383"}, declared_kg=None, tolerance_pct=5, today=TODAY,
                          watch=watch) == {"flags": []}


def test_later_flags_add_their_points_once_each():
    flags = [{"code": "trace_alarm", "message": "a"}, {"code": "trace_alarm", "message": "b"},
             {"code": "weight_discrepancy", "message": "c"}, {"code": "watchlist_hit", "message": "d"}]
    assert [f.code for f in flag_factors(flags)] == ["trace_alarm", "weight_discrepancy"]
    assert score_risk(flag_factors(flags))["score"] == 85
    assert unanswered_flags(flags, None, {}) == ["trace_alarm", "weight_discrepancy", "watchlist_hit"]
    assert unanswered_flags(flags, None, {"trace_alarm": "second swab clear"}) == ["weight_discrepancy",
                                                                                  "watchlist_hit"]
    assert unanswered_flags(flags, "papers checked by phone", {}) == [] and unanswered_flags([], None, {}) == []


def test_custody_rules():
    assert bag_id_for("4b7ed7ff-a9d7-4212-9221-acc436678c39") == "BAG-4B7ED7FF"
    assert custody_refusal([], "handed_over") and custody_refusal([], "sealed") is None
    assert custody_refusal(["sealed", "handed_over"], "received") is None
    assert custody_refusal(["sealed", "released"], "stored") and custody_refusal(["sealed", "destroyed"], "sealed")
    assert bag_state([]) == "unsealed" and bag_state(["sealed", "stored"]) == "stored"


def test_what_a_full_page_reader_found_wrong_is_flagged_and_what_it_did_not_check_is_not():
    mrz = parse_mrz(list(ICAO_SPECIMENS[0]))
    mrz = {**mrz, "expiry_date": "2099-01-01"}
    clean = {"overall": "ok", "mrz_visual": {"status": "ok", "mismatches": []},
             "chip": {"status": "not_done", "checks": {"pa": "not_done"}, "mrz_match": {"status": "not_done"}},
             "authenticity": {"status": "ok", "checks": {"UV": "ok"}, "failed": []}}
    assert assess_reading("document", {"mrz": mrz, "verification": clean}, declared_kg=None, tolerance_pct=5,
                          today=dt.date(2026, 11, 29), watch=lambda *_: [])["flags"] == []
    forged = {**clean, "mrz_visual": {"status": "failed", "mismatches": [{"field": "surname", "mrz": "ERIKSSON",
                                                                           "visual": "ERIKSEN"}]},
              "chip": {"status": "failed", "checks": {"pa": "failed"}, "mrz_match": {"status": "ok"}},
              "authenticity": {"status": "failed", "checks": {"UV": "failed"}, "failed": ["UV"]}}
    flags = assess_reading("document", {"mrz": mrz, "verification": forged}, declared_kg=None, tolerance_pct=5,
                           today=dt.date(2026, 11, 29), watch=lambda *_: [])["flags"]
    assert [f["code"] for f in flags] == ["document_mismatch", "document_chip_failed", "document_not_authentic"]
    assert "surname" in flags[0]["message"] and "PA" in flags[1]["message"] and "UV" in flags[2]["message"]
