"""The identifiers officers type and scan, in the one form they are compared in.

A plate is painted ``AB12 CDE`` and typed ``ab12-cde``; a passport number
comes off an MRZ padded with ``<``. Lookups against reference data and the
watchlist only work if both sides are written the same way, so every
comparison goes through these functions.
"""

from __future__ import annotations

import re

PLATE = re.compile(r"[A-Z0-9]{2,12}")
DOCUMENT = re.compile(r"[A-Z0-9]{1,20}")
_PLATE_SEPARATORS = re.compile(r"[\s\-]+")
_DOCUMENT_FILLERS = re.compile(r"[\s<\-]+")


def normalise_plate(text: str) -> str:
    """``ab12-cde`` → ``AB12CDE``; raises ValueError unless 2–12 of A–Z, 0–9 remain."""
    plate = _PLATE_SEPARATORS.sub("", text).upper()
    if not PLATE.fullmatch(plate):
        raise ValueError("a plate is 2-12 letters A-Z and digits (spaces and dashes are ignored)")
    return plate


def normalise_document_number(text: str) -> str:
    """``L898902C<3`` or ``l898 902c3`` → ``L898902C3``; raises ValueError if nothing usable remains."""
    number = _DOCUMENT_FILLERS.sub("", text).upper()
    if not DOCUMENT.fullmatch(number):
        raise ValueError("a document number is 1-20 letters A-Z and digits")
    return number
