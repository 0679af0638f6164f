"""Risk scoring: points per reason, capped, turned into a level."""

from __future__ import annotations

from edge.inspections.risk import RiskFactor, score_risk


def test_risk_is_capped_and_levelled():
    assert score_risk([RiskFactor("trace_alarm", "a"), RiskFactor("watchlist_high", "b")])["score"] == 100
    assert score_risk([RiskFactor("high_risk_origin", "a"), RiskFactor("container_invalid", "b")])["level"] == "medium"
    assert score_risk([RiskFactor("watchlist_high", "a"), RiskFactor("high_risk_origin", "b")])["level"] == "high"
    assert score_risk([RiskFactor("no_declaration", "a")])["level"] == "low"
    assert score_risk([]) == {"score": 0, "level": "low", "reasons": []}




def test_a_high_watchlist_hit_alone_reads_high_whatever_its_points():
    alone = score_risk([RiskFactor("watchlist_high", "plate KHN512 on the watchlist (high)")])
    assert alone["score"] < 60 and alone["level"] == "high"
    assert score_risk([RiskFactor("watchlist_medium", "a")])["level"] == "medium"
