"""Risk scoring of a vehicle: points per reason, capped, turned into a level.

The officer sees the score and, above all, the reasons: a number alone
cannot be argued with in court, a list of reasons can. The points are the
ones agreed in docs/officer-api.md; everything here is a pure function.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: points per reason (docs/officer-api.md, "Risk")
POINTS = {
    "watchlist_high": 50,
    "watchlist_medium": 30,
    "no_declaration": 20,
    "high_risk_origin": 15,
    "container_invalid": 15,
    "trace_alarm": 60,
    "weight_discrepancy": 25,
    "document_invalid": 40,
    "document_expired": 40,
    "document_watchlisted": 50,
    "document_mismatch": 40,
    "document_chip_failed": 40,
    "document_not_authentic": 60,
    "no_reference": 0,
}
MAX_SCORE = 100
HIGH_FROM = 60
MEDIUM_FROM = 30


@dataclass(frozen=True)
class RiskFactor:
    """One reason and what it weighs."""

    code: str
    reason: str

    @property
    def points(self) -> int:
        return POINTS[self.code]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "points": self.points, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RiskFactor:
        return cls(data["code"], data["reason"])


HIGH_ALONE = ("watchlist_high",)
"""Factors that make the level high whatever the score: a vehicle the watchlist
marks high must never read as a medium risk on the officer's screen."""


def level(score: int) -> str:
    return "high" if score >= HIGH_FROM else "medium" if score >= MEDIUM_FROM else "low"


def score_risk(factors: Iterable[RiskFactor]) -> dict[str, Any]:
    """``{"score", "level", "reasons"}`` for these factors (score capped at 100)."""
    factors = list(factors)
    score = min(MAX_SCORE, sum(f.points for f in factors))
    high_alone = any(f.code in HIGH_ALONE for f in factors)
    return {"score": score, "level": "high" if high_alone else level(score), "reasons": [f.reason for f in factors]}
