"""What the lane makes of a reading attached to an inspection — pure rules.

An officer attaches a stable weight, a trace result or a passport read to
an inspection; the server judges it on the spot against the declaration
and the watchlist and stores that judgement (``assessment``) in the same
event, so the record shows what the officer was told, and why, at the
moment they acted. Each finding worth the officer's attention is a flag
with a fixed code (docs/officer-api.md); flags also add to the risk score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from common.clock import parse_iso
from common.identifiers import normalise_document_number
from drivers.scale import UnitError, convert
from drivers.validation.iso6346 import parse_container_number
from edge.inspections.risk import RiskFactor
from edge.weighing.rules import ScaleData, WeighingRefused, pass_weight

#: flags raised after the start that add to the risk score, each code once
#: however often it is raised (its points are in :data:`edge.inspections.risk.POINTS`)
RISK_FLAGS = ("weight_discrepancy", "trace_alarm", "document_invalid", "document_expired",
              "document_watchlisted", "document_mismatch", "document_chip_failed", "document_not_authentic")

#: ``watch(kind, value) -> [watchlist entries]`` for normalised values
Watch = Callable[[str, str], list[dict[str, Any]]]


def flag(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def container_problem(text: str) -> str | None:
    """Why ``text`` is not a usable ISO 6346 number, or None when it is."""
    parsed = parse_container_number(text)
    return None if parsed["valid"] else f"{text!r} is not a valid container number: {'; '.join(parsed['errors'])}"


def assess_weight(data: dict[str, Any], declared_kg: float | None, tolerance_pct: float) -> dict[str, Any]:
    """The scale's (stable, net) weight against the declared gross weight."""
    try:
        measured = convert(float(data["weight"]), data["unit"], "kg")
    except (UnitError, TypeError, KeyError, ValueError):
        return {"measured_kg": None, "declared_kg": declared_kg, "flags": [],
                "note": "the reading carries no usable weight"}
    result: dict[str, Any] = {"measured_kg": measured, "declared_kg": declared_kg, "tolerance_pct": tolerance_pct,
                              "difference_kg": None, "difference_pct": None, "flags": []}
    if not declared_kg:
        result["note"] = "no declared gross weight to compare with"
        return result
    difference = measured - declared_kg
    percent = round(difference / declared_kg * 100, 2)
    result.update(difference_kg=round(difference, 3), difference_pct=percent)
    if abs(percent) > tolerance_pct:
        result["flags"].append(flag("weight_discrepancy",
                                    f"weighed {measured:g} kg, declared {declared_kg:g} kg "
                                    f"({percent:+.1f} %, tolerance {tolerance_pct:g} %)"))
    return result


def assess_trace(data: dict[str, Any]) -> dict[str, Any]:
    """An alarm is flagged and proposes referral; a fault says to swab again."""
    result = data.get("result")
    substances = data.get("substances") or []
    assessment: dict[str, Any] = {"result": result, "propose_referral": result == "alarm", "flags": []}
    if result == "alarm":
        names = ", ".join(f"{s.get('name')} ({s.get('class')})" for s in substances) or "unnamed substance"
        assessment["flags"].append(flag("trace_alarm", f"trace detector alarm: {names}; propose referral"))
    elif result == "fault":
        assessment["note"] = "the detector reported a fault: take another swab"
    return assessment


def assess_document(mrz: dict[str, Any], today: dt.date, watch: Watch,
                    verification: dict[str, Any] | None = None) -> dict[str, Any]:
    """MRZ check digits, expiry against ``today``, watchlist by document number, and
    what a full-page reader's own checks found (``verification``, docs/contract.md)."""
    number = mrz.get("document_number")
    try:
        normalised = normalise_document_number(number) if number else None
    except ValueError:
        normalised = None
    expiry = mrz.get("expiry_date")
    expired = bool(expiry) and dt.date.fromisoformat(expiry) < today
    hits = watch("document", normalised) if normalised else []
    assessment: dict[str, Any] = {"document_number": normalised, "valid": bool(mrz.get("valid")),
                                  "errors": list(mrz.get("errors") or []), "expiry_date": expiry,
                                  "expired": expired, "watchlist_hits": hits, "flags": []}
    if not assessment["valid"]:
        assessment["flags"].append(flag("document_invalid", "MRZ does not check: "
                                        + ("; ".join(assessment["errors"]) or "invalid zone")))
    if expired:
        assessment["flags"].append(flag("document_expired", f"document expired on {expiry}"))
    for hit in hits:
        # the number is not repeated in the message: a flag becomes a board alarm, kept for ever,
        # while the number itself is sealed with the case's key (docs/evidence.md "Retention and erasure")
        assessment["flags"].append(flag("document_watchlisted", f"the travel document is on the watchlist "
                                                                f"({hit['severity']}): {hit['reason']}"))
    assessment["flags"].extend(reader_check_flags(verification or {}))
    return assessment


def reader_check_flags(verification: dict[str, Any]) -> list[dict[str, str]]:
    """Flags for what a full-page reader found wrong: the printed page against the MRZ,
    the chip and its data, the security features. A check not done raises nothing."""
    raised = []
    for part, comparison in (("visual zone", verification.get("mrz_visual") or {}),
                             ("chip", (verification.get("chip") or {}).get("mrz_match") or {})):
        if comparison.get("status") == "failed":
            fields = ", ".join(str(m.get("field")) for m in comparison.get("mismatches") or []) or "a field"
            raised.append(flag("document_mismatch", f"the MRZ and the {part} differ: {fields}"))
    chip = verification.get("chip") or {}
    if chip.get("status") == "failed":
        failed = [name.upper() for name, result in (chip.get("checks") or {}).items() if result == "failed"]
        raised.append(flag("document_chip_failed", "the document's chip failed its checks"
                           + (f": {', '.join(failed)}" if failed else "")))
    authenticity = verification.get("authenticity") or {}
    if authenticity.get("status") == "failed" or authenticity.get("failed"):
        names = ", ".join(authenticity.get("failed") or []) or "security features"
        raised.append(flag("document_not_authentic", f"the reader doubts the document is genuine: {names}"))
    return raised


def assess_reading(kind: str, data: dict[str, Any], *, declared_kg: float | None, tolerance_pct: float,
                   today: dt.date, watch: Watch) -> dict[str, Any]:
    """The assessment of one attached reading; kinds without rules get no flags."""
    if kind == "scale":
        return assess_weight(data, declared_kg, tolerance_pct)
    if kind == "trace":
        return assess_trace(data)
    if kind == "document" and isinstance(data.get("mrz"), dict):
        verification = data.get("verification")
        return assess_document(data["mrz"], today, watch, verification if isinstance(verification, dict) else None)
    return {"flags": []}


def flag_factors(flags: list[dict[str, Any]]) -> list[RiskFactor]:
    """Risk factors for flags raised after the start, one per flag code."""
    factors: dict[str, RiskFactor] = {}
    for raised in flags:
        code = raised["code"]
        if code in RISK_FLAGS and code not in factors:
            factors[code] = RiskFactor(code, raised["message"])
    return list(factors.values())


def calibration_flag(device_id: str, calibration: dict[str, Any]) -> dict[str, str]:
    """The open flag of a reading attached while its device was not verified (docs/architecture.md,
    decision 5): the officer is told not to rely on it, and releasing answers for it."""
    status = calibration.get("status") or "due"
    return flag("calibration_due", f"{device_id} was not verified when read (calibration {status}): "
                                   f"do not rely on its reading")


def unanswered_flags(flags: list[dict[str, Any]], reason: str | None,
                     flag_reasons: dict[str, str]) -> list[str]:
    """The codes of open flags a release leaves without a reason: every open flag (an expired
    document, a watchlist hit, a weight discrepancy, a trace alarm, a reading not verified) needs one,
    its own in ``flag_reasons`` or the general ``reason``."""
    codes = dict.fromkeys(raised["code"] for raised in flags)
    return [code for code in codes if not (flag_reasons.get(code) or reason)]


def answered_flags(flags: list[dict[str, Any]], reason: str | None,
                   flag_reasons: dict[str, str]) -> list[dict[str, Any]]:
    """The open flags as the closing event keeps them: each with the reason the officer gave for it."""
    return [{"code": raised["code"], "message": raised["message"], "event_id": raised.get("event_id"),
             "reason": flag_reasons.get(raised["code"]) or reason} for raised in flags]


# ----- whose reading it is ----------------------------------------------------
def read_before(reading_ts: str, started_at: str) -> float | None:
    """How many seconds before the inspection started a reading was read (box times both), or None
    when it was read after: a reading from before the start may be the previous vehicle's."""
    early = (parse_iso(started_at) - parse_iso(reading_ts)).total_seconds()
    return early if early > 0 else None


def settled_since(readings: list[dict[str, Any]], seq: int) -> str | None:
    """When the scale last changed before showing reading ``seq``: the time of the first of the
    kept readings that show the same weight, unit and status without a break (a weight unchanged
    since before the start is the empty platform's or the previous vehicle's). None if not kept."""
    since: str | None = None
    shown: dict[str, Any] | None = None
    for message in reversed(readings):
        if shown is None:
            if message["seq"] == seq:
                shown, since = message["data"], message["ts"]
            continue
        data = message["data"]
        if any(data.get(k) != shown.get(k) for k in ("weight", "unit", "stable", "status", "tare")):
            break
        since = message["ts"]
    return since


def load_problem(data: dict[str, Any], scale: ScaleData | None) -> dict[str, str] | None:
    """Why a stable weight is no vehicle's weight, or None: below the weighbridge's Min (20 e in
    class III, from its calibration record: the weighing rules of :mod:`edge.weighing.rules`) or
    above its Max; without a calibration record stating Min, nothing (0 or less) on the platform."""
    if scale is not None:
        try:
            # an inspection judges the displayed weight (net of a tare): only the Min and Max rules apply
            pass_weight({**data, "tare": None}, scale)
        except WeighingRefused as exc:
            return flag(exc.code, str(exc))
        return None
    try:
        empty = float(data["weight"]) <= 0
    except (TypeError, KeyError, ValueError):
        empty = True
    return flag("below_min", f"{data.get('weight')} {data.get('unit', '')}: nothing is on the platform".strip()) \
        if empty else None
