"""A case's standing towards erasure, as its events tell it: under legal hold or
not, erased or not (docs/evidence.md "Retention and erasure").

Both are events of the case's own log, so they sync to the hub like any
other and are themselves evidence: ``case.legal_hold`` (``hold`` true to set,
false to lift, with the reason) and ``case.erased`` (why: the retention
period ended or a supervisor ordered it, by whom, the reason; and the key ids
destroyed). Neither carries any personal data. Each names the case under
``inspection_id`` so that it is indexed with the inspection's other events
at the lane and at the hub. The lane and the hub read them the same way,
with :func:`case_standing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from common.config import Section

ERASED = "case.erased"
LEGAL_HOLD = "case.legal_hold"
#: why a case was erased: its retention period ended, or a supervisor ordered it
RETENTION_ENDED, ORDERED = "retention_ended", "ordered"


@dataclass(frozen=True)
class CaseStanding:
    """``hold``: the legal hold in force (who, when, why) or None; ``erased``: the erasure or None."""

    hold: dict[str, Any] | None = None
    erased: dict[str, Any] | None = None


def case_standing(events: Iterable[dict[str, Any]]) -> CaseStanding:
    """The standing the case's events (in seq order) leave it in."""
    hold = erased = None
    for event in events:
        payload = event["payload"]
        if event["type"] == LEGAL_HOLD:
            hold = ({"at": event["ts"], "by": event["actor"], "reason": payload.get("reason")}
                    if payload.get("hold") else None)
        elif event["type"] == ERASED and erased is None:
            erased = {"at": event["ts"], "by": event["actor"], "why": payload.get("why"),
                      "reason": payload.get("reason"), "event_id": event["id"]}
    return CaseStanding(hold=hold, erased=erased)


def erasure_words(erased: dict[str, Any]) -> str:
    """How screens and reports say that a case's personal data was erased."""
    day = str(erased.get("at") or "")[:10]
    if erased.get("why") == RETENTION_ENDED:
        return f"erased on {day} (its retention period ended)"
    return f"erased on {day} (erasure ordered by {erased.get('by')}: {erased.get('reason')})"


def erasure_payload(case_id: str, why: str, reason: str, key_ids: list[str]) -> dict[str, Any]:
    """The payload of a ``case.erased`` event: nothing personal, only what was destroyed and why."""
    return {"inspection_id": case_id, "case_id": case_id, "why": why, "reason": reason,
            "keys_destroyed": sorted(key_ids)}


#: the record types a retention period is set for (``[retention]``, days): a closed inspection
#: by its outcome, and any inspection that seized something (however it ended)
RECORD_TYPES = ("released_inspection", "referred_inspection", "seizure")
#: the longest period a config may give (a typo of 36500 for 3650 is one digit too many)
MAX_DAYS = 36_500


@dataclass(frozen=True)
class RetentionPeriods:
    """Days a case's personal data is kept after it closed, per record type; a type
    left out of ``[retention]`` is never erased by the retention job (only by an order)."""

    days: dict[str, int]

    def period(self, record_type: str | None) -> int | None:
        return self.days.get(record_type) if record_type else None


def record_type(status: str | None, outcome: str | None, seized: bool) -> str | None:
    """The retention record type of an inspection; None while it is open."""
    if status != "closed":
        return None
    if seized or outcome == "seize":
        return "seizure"
    return {"release": "released_inspection", "refer": "referred_inspection"}.get(outcome or "")


def parse_retention(top: Section) -> RetentionPeriods:
    """``[retention]``: ``released_inspection = 90`` and so on, whole days (1 to 36500);
    an unknown record type is an error (a misspelt type would keep data for ever)."""
    if "retention" not in top.table:
        top.used.add("retention")
        return RetentionPeriods({})
    section = Section(top.source, "retention", top.get("retention", dict))
    days = {}
    for name in RECORD_TYPES:
        value = section.get(name, int, None)
        if value is not None and not 1 <= value <= MAX_DAYS:
            raise section.fail(name, f"must be between 1 and {MAX_DAYS} days")
        if value is not None:
            days[name] = value
    section.done()
    return RetentionPeriods(days)
