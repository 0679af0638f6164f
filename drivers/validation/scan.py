"""What a scanned barcode is: a container number, a GS1 label, an MRZ, or
none of these (then the officer just sees the text).

The AIM symbology identifier (ISO/IEC 15424, ``]C1``…) decides where it
can: GS1 symbologies carry element strings, EAN/UPC and ITF-14 carry a
GTIN. Without one, the text's own shape decides — strictly, because most
short strings of digits parse as *some* GS1 element string.
"""

from __future__ import annotations

import re
from typing import Any

from drivers.validation.gs1 import GTIN_SYMBOLOGIES, gs1_check_digit, is_gtin, parse_gs1
from drivers.validation.iso6346 import normalise_container_number, parse_container_number
from drivers.validation.mrz import mrz_format, parse_mrz

#: symbologies whose data starts with FNC1: a GS1 element string
GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0"})
#: GS1 keys with a check digit; un-prefixed text must hold one to count as GS1
GS1_KEY_AIS = ("00", "01", "02")

_AIM_IDENTIFIER = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_CONTAINER = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")
_HRI = re.compile(r"\s*\(\d{2,4}\)")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def split_aim_identifier(text: str) -> tuple[str | None, str]:
    """``"]C1010…"`` → ``("]C1", "010…")``; text without a prefix → ``(None, text)``."""
    match = _AIM_IDENTIFIER.match(text)
    if match is None:
        return None, text
    return match.group(), text[match.end():]


def classify_scan(text: str, symbology: str | None) -> dict[str, Any] | None:
    """The parsed meaning of one scan (``type`` container, gs1 or mrz), or None.

    A container number with a bad check digit still comes back as a
    container (``valid`` False): the officer must see that it is wrong.
    """
    if symbology in GS1_SYMBOLOGIES or (symbology in GTIN_SYMBOLOGIES and is_gtin(text)):
        return parse_gs1(text, symbology)
    lines = [line.strip() for line in _LINE_BREAKS.split(text.strip())]
    if mrz_format(lines) is not None:
        return {"type": "mrz", **parse_mrz(lines)}
    if _CONTAINER.fullmatch(normalise_container_number(text)):
        return parse_container_number(text)
    if _HRI.match(text):
        return parse_gs1(text)
    if symbology is None:
        return _unprefixed_gs1(text)
    return None


def _unprefixed_gs1(text: str) -> dict[str, Any] | None:
    """GS1 data from a reader that sends no AIM identifier: a bare GTIN with
    a good check digit, or element strings holding an SSCC or GTIN."""
    if is_gtin(text) and gs1_check_digit(text[:-1]) == int(text[-1]):
        return parse_gs1("01" + text.zfill(14))
    parsed = parse_gs1(text)
    if parsed["checks"]["syntax"] and any(ai in parsed["ais"] for ai in GS1_KEY_AIS):
        return parsed
    return None
