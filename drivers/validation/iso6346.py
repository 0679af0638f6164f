"""ISO 6346 freight-container numbers (``CSQU3054383``).

An officer types or scans the number painted on a box; a wrong check digit
is the usual sign of a misread or a mistyped digit, so the result says
which rule failed rather than just "invalid". The algorithm is short and
written out here (python-stdnum's ``iso6346`` agrees; the tests compare).
"""

from __future__ import annotations

import re
import string
from typing import Any

CATEGORIES = {"U": "freight container", "J": "detachable equipment", "Z": "trailer or chassis"}
SHAPE = re.compile(r"[A-Z]{4}[0-9]{7}")
_TYPED_SEPARATORS = re.compile(r"[\s\-]+")


def _letter_values() -> dict[str, int]:
    """A=10 upward, skipping multiples of 11 (so no letter weighs like 10 + 1)."""
    values, value = {}, 10
    for letter in string.ascii_uppercase:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


_VALUES = {**_letter_values(), **{d: int(d) for d in string.digits}}


def normalise_container_number(text: str) -> str:
    """Upper case, without the spaces and dashes people type (``CSQU 305438-3``)."""
    return _TYPED_SEPARATORS.sub("", text).upper()


def container_check_digit(first10: str) -> int:
    """The check digit for owner code, category and serial (10 characters).

    Spaces and dashes are ignored. Raises ValueError unless what remains is
    10 characters of A–Z and 0–9.
    """
    text = normalise_container_number(first10)
    if len(text) != 10 or any(ch not in _VALUES for ch in text):
        raise ValueError(f"{first10!r} is not 10 characters of A-Z and 0-9")
    return sum(_VALUES[ch] << i for i, ch in enumerate(text)) % 11 % 10


def parse_container_number(text: str) -> dict[str, Any]:
    """Parts and checks of a container number; never raises.

    ``checks`` always holds ``length``, ``format``, ``category`` and
    ``check_digit``; a check that could not run because an earlier one
    failed is False, and ``errors`` names only the rules actually broken.
    """
    normalised = normalise_container_number(text) if isinstance(text, str) else ""
    result: dict[str, Any] = {"type": "container", "valid": False, "owner": None, "category": None,
                              "serial": None, "check_digit": None, "text": normalised,
                              "checks": dict.fromkeys(("length", "format", "category", "check_digit"), False),
                              "errors": []}
    checks, errors = result["checks"], result["errors"]
    checks["length"] = len(normalised) == 11
    if not checks["length"]:
        errors.append(f"length: expected 11 characters, got {len(normalised)}")
        return result
    checks["format"] = SHAPE.fullmatch(normalised) is not None
    if not checks["format"]:
        errors.append("format: expected 4 letters and 7 digits")
        return result
    result.update(owner=normalised[:3], category=normalised[3], serial=normalised[4:10],
                  check_digit=normalised[10])
    checks["category"] = normalised[3] in CATEGORIES
    if not checks["category"]:
        errors.append(f"category: {normalised[3]!r} is not U, J or Z")
    expected = container_check_digit(normalised[:10])
    checks["check_digit"] = normalised[10] == str(expected)
    if not checks["check_digit"]:
        errors.append(f"check digit: expected {expected}, got {normalised[10]}")
    result["valid"] = not errors
    return result
