"""GS1 element strings: what a logistics label's barcode says.

The AI table and the parsing come from ``biip`` (kept up to date with the
GS1 General Specifications); this module only wraps its results and
exceptions into lanebox's flat result, so a tablet can show the AIs and
say which check failed: the syntax, a mod-10 check digit (SSCC, GTIN,
GLN) or a date.
"""

from __future__ import annotations

from typing import Any

from biip import BiipException, ParseConfig
from biip.checksums import gs1_standard_check_digit
from biip.gs1_messages import GS1Message

#: symbologies that carry a bare GTIN, read as if it were AI (01)
GTIN_SYMBOLOGIES = frozenset({"]E0", "]E4", "]I1"})
GTIN_LENGTHS = (8, 12, 13, 14)
#: YYMMDD dates; DD=00 means the end of the month (biip resolves it)
DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"})
#: AI 310n–316n: a measure with n decimals, and its unit
MEASURE_UNITS = {"310": "kg", "311": "m", "312": "m", "313": "m", "314": "m2", "315": "l", "316": "m3"}

# Dates are checked here, per AI, so one bad date does not hide the rest of
# the label (biip would refuse the whole message).
_CONFIG = ParseConfig(gs1_element_strings_verify_date=False)


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for ``digits`` (the number without it).

    Raises ValueError unless ``digits`` is one or more ASCII digits.
    """
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"{digits!r} is not a string of digits")
    return gs1_standard_check_digit(digits)


def is_gtin(text: str) -> bool:
    """Digits of a GTIN's length (8, 12, 13 or 14) — check digit not checked."""
    return text.isascii() and text.isdigit() and len(text) in GTIN_LENGTHS


def parse_gs1(text: str, symbology: str | None = None) -> dict[str, Any]:
    """The AIs of a GS1 element string and the results of their checks; never raises.

    Takes the transmitted form (``<GS>`` after variable-length fields) or
    the human-readable ``(01)…(17)…`` form. With a GTIN symbology
    (``]E0``, ``]E4``, ``]I1``) ``text`` is a bare GTIN, reported as AI 01.
    """
    result: dict[str, Any] = {"type": "gs1", "valid": False, "ais": {}, "dates": {}, "measures": {},
                              "checks": {"syntax": False}, "errors": []}
    if not isinstance(text, str):
        result["errors"].append("syntax: not text")
        return result
    message = _parse_message(text, symbology, result["errors"])
    if message is not None:
        result["checks"]["syntax"] = True
        for element in message.element_strings:
            _add_element(result, element)
    result["valid"] = not result["errors"]
    return result


def _parse_message(text: str, symbology: str | None, errors: list[str]) -> GS1Message | None:
    if symbology in GTIN_SYMBOLOGIES:
        if not is_gtin(text):
            errors.append(f"syntax: {text!r} is not a GTIN (8, 12, 13 or 14 digits)")
            return None
        text = "01" + text.zfill(14)
    if not text.isascii():  # biip's patterns would take other scripts' digits
        errors.append("syntax: GS1 data is ASCII only")
        return None
    try:
        if text.lstrip().startswith("("):
            message = GS1Message.parse_hri(text, config=_CONFIG)
        else:
            message = GS1Message.parse(text, config=_CONFIG)
    except (BiipException, ValueError) as exc:
        errors.append(f"syntax: {exc}")
        return None
    if not message.element_strings:
        errors.append("syntax: no element strings")
        return None
    return message


def _add_element(result: dict[str, Any], element: Any) -> None:
    ai, value = element.ai.ai, element.value
    result["ais"][ai] = value
    checks, errors = result["checks"], result["errors"]
    for key in ("gtin", "sscc", "gln"):  # the keys biip checks the mod-10 digit of
        error = getattr(element, f"{key}_error")
        if getattr(element, key) is not None or error is not None:
            checks[f"{ai}_check_digit"] = error is None
            if error is not None:
                errors.append(f"({ai}) {error}")
    if ai in DATE_AIS:
        checks[f"{ai}_date"] = element.date is not None
        if element.date is None:
            errors.append(f"({ai}) {value!r} is not a date (YYMMDD)")
        else:
            result["dates"][ai] = element.date.isoformat()
    unit = MEASURE_UNITS.get(ai[:3])
    if unit is not None and len(ai) == 4 and element.decimal is not None:
        result["measures"][ai] = {"value": float(element.decimal), "unit": unit}
