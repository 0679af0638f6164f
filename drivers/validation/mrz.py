"""ICAO Doc 9303 machine-readable zones: check digits, fields, dates.

A document reader (or a 2D code) hands us the MRZ as text lines; the
officer needs the fields and, above all, whether the check digits hold —
a wrong one means a misread or a forged zone. The rules are short enough
to write out here, so every result can say which check failed.

TD1 is the ID-card size (3 lines of 30), TD2 the older card size (2 × 36),
TD3 the passport (2 × 44). Visas (MRV-A, MRV-B) share the TD3 and TD2
shapes; they are told apart by their document code ``V`` and have no
composite check digit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

MRZ_CHARS = re.compile(r"[A-Z0-9<]+")
FORMATS = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}
LINE_LENGTHS = frozenset(length for _, length in FORMATS)
SEXES = {"M": "M", "F": "F", "X": "X", "<": None}
#: how far ahead a two-digit expiry year may lie before we read it as 19xx
EXPIRY_HORIZON_YEARS = 20

_FIELDS = ("document_type", "issuing_state", "document_number", "nationality", "birth_date",
           "expiry_date", "surname", "given_names", "sex", "personal_number", "optional_data",
           "optional_data_2")


def _char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if char == "<":
        return 0
    return ord(char) - ord("A") + 10


def mrz_check_digit(text: str) -> int:
    """The 9303 check digit of ``text`` (0–9, A=10…Z=35, ``<``=0; weights 7, 3, 1).

    Raises ValueError for a character an MRZ cannot hold.
    """
    if text and not MRZ_CHARS.fullmatch(text):
        raise ValueError(f"{text!r} holds characters an MRZ cannot (A-Z, 0-9, <)")
    return sum(_char_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(text)) % 10


def looks_like_mrz_line(text: str) -> bool:
    """True for a line an MRZ can have: 30, 36 or 44 of A–Z, 0–9 and ``<``."""
    return len(text) in LINE_LENGTHS and MRZ_CHARS.fullmatch(text) is not None


def mrz_format(lines: list[str]) -> str | None:
    """"TD1", "TD2" or "TD3" when ``lines`` have that shape, else None."""
    if not lines or not all(looks_like_mrz_line(line) for line in lines):
        return None
    if len({len(line) for line in lines}) != 1:
        return None
    return FORMATS.get((len(lines), len(lines[0])))


def parse_mrz(lines: list[str], today: dt.date | None = None) -> dict[str, Any]:
    """Fields and check results of one MRZ; never raises.

    ``today`` fixes the reference date used to choose the century of the
    two-digit years (defaults to the real today). Anything that is not a
    TD1/TD2/TD3 comes back with ``format`` None, ``valid`` False and the
    reason in ``errors``.
    """
    result: dict[str, Any] = {"format": None, "valid": False, **dict.fromkeys(_FIELDS), "checks": {},
                              "errors": []}
    if not isinstance(lines, (list, tuple)) or not all(isinstance(line, str) for line in lines):
        result["errors"].append("an MRZ is a list of text lines")
        return result
    lines = [line.strip() for line in lines]
    fmt = mrz_format(lines)
    if fmt is None:
        shape = " + ".join(str(len(line)) for line in lines) or "nothing"
        result["errors"].append(f"not an MRZ: expected 3×30, 2×36 or 2×44 characters of A-Z 0-9 <, got {shape}")
        return result
    result["format"] = fmt
    fields = _split_td1(lines) if fmt == "TD1" else _split_td2_td3(lines, fmt)
    _interpret(result, fields, today or dt.date.today())
    result["valid"] = not result["errors"]
    return result


def _split_td1(lines: list[str]) -> dict[str, str]:
    l1, l2, l3 = lines
    number, number_check, optional = _overflowed_number(l1[5:14], l1[14], l1[15:30])
    return {"type": l1[0:2], "state": l1[2:5], "number": number, "number_check": number_check,
            "optional": optional, "birth": l2[0:6], "birth_check": l2[6], "sex": l2[7],
            "expiry": l2[8:14], "expiry_check": l2[14], "nationality": l2[15:18], "optional_2": l2[18:29],
            "composite": l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], "composite_check": l2[29],
            "name": l3}


def _split_td2_td3(lines: list[str], fmt: str) -> dict[str, str]:
    l1, l2 = lines
    end = 35 if fmt == "TD2" else 43  # the composite check digit's index
    fields = {"type": l1[0:2], "state": l1[2:5], "name": l1[5:], "number": l2[0:9],
              "number_check": l2[9], "nationality": l2[10:13], "birth": l2[13:19],
              "birth_check": l2[19], "sex": l2[20], "expiry": l2[21:27], "expiry_check": l2[27],
              "composite": l2[0:10] + l2[13:20] + l2[21:end], "composite_check": l2[end]}
    if l1[0] == "V":  # visas, MRV-A/MRV-B (9303 part 7): optional data to the end, no composite
        del fields["composite"], fields["composite_check"]
        fields["optional"] = l2[28:]
    elif fmt == "TD3":
        fields.update(personal=l2[28:42], personal_check=l2[42])
    else:
        fields["number"], fields["number_check"], fields["optional"] = _overflowed_number(
            l2[0:9], l2[9], l2[28:35])
    return fields


def _overflowed_number(number: str, check: str, optional: str) -> tuple[str, str, str]:
    """Undo the long-document-number rule of TD1/TD2.

    A number longer than 9 characters puts ``<`` in the check position and
    continues in the optional data, followed by its check digit and a filler.
    """
    if check != "<" or optional[:1] in ("", "<"):
        return number, check, optional
    tail, _, rest = optional.partition("<")
    return number + tail[:-1], tail[-1], rest


def _interpret(result: dict[str, Any], f: dict[str, str], today: dt.date) -> None:
    checks, errors = result["checks"], result["errors"]
    result.update(document_type=_text(f["type"]), issuing_state=_text(f["state"]),
                  document_number=_text(f["number"]), nationality=_text(f["nationality"]))
    result["surname"], result["given_names"] = _names(f["name"])
    for name, field, digit in (("document_number", f["number"], f["number_check"]),
                               ("birth_date", f["birth"], f["birth_check"]),
                               ("expiry_date", f["expiry"], f["expiry_check"])):
        checks[name] = _check(field, digit, errors, name)
    if "personal" in f:
        result["personal_number"] = _text(f["personal"])
        checks["personal_number"] = _check(f["personal"], f["personal_check"], errors, "personal_number",
                                           may_be_empty=True)
    else:
        result["optional_data"] = _text(f["optional"])
        result["optional_data_2"] = _text(f.get("optional_2", ""))
    if "composite" in f:
        checks["composite"] = _check(f["composite"], f["composite_check"], errors, "composite")
    result["birth_date"] = _date(f["birth"], today, past=True, errors=errors, what="birth date")
    result["expiry_date"] = _date(f["expiry"], today, past=False, errors=errors, what="expiry date")
    if f["sex"] not in SEXES:
        errors.append(f"sex {f['sex']!r} is not M, F, X or <")
    result["sex"] = SEXES.get(f["sex"])


def _check(field: str, digit: str, errors: list[str], name: str, may_be_empty: bool = False) -> bool:
    """Does ``digit`` check ``field``? An unused optional field may carry ``<`` or 0."""
    if may_be_empty and set(field) <= {"<"} and digit in ("<", "0"):
        return True
    expected = mrz_check_digit(field)
    if digit == str(expected):
        return True
    errors.append(f"{name} check digit: expected {expected}, got {digit!r}")
    return False


def _text(field: str) -> str | None:
    """A field with its fillers turned back into spaces; None when empty."""
    text = " ".join(field.replace("<", " ").split())
    return text or None


def _names(field: str) -> tuple[str | None, str | None]:
    surname, _, given = field.strip("<").partition("<<")
    return _text(surname), _text(given)


def _date(field: str, today: dt.date, past: bool, errors: list[str], what: str) -> str | None:
    """YYMMDD as ISO, with the century that keeps a birth date in the past
    and an expiry date no more than :data:`EXPIRY_HORIZON_YEARS` ahead."""
    if not field.isdigit():
        errors.append(f"{what} {field!r} is not YYMMDD")
        return None
    yy, mm, dd = int(field[0:2]), int(field[2:4]), int(field[4:6])
    limit = today if past else _add_years(today, EXPIRY_HORIZON_YEARS)
    try:
        date = dt.date(2000 + yy, mm, dd)
        if date > limit:
            date = dt.date(1900 + yy, mm, dd)
    except ValueError:
        errors.append(f"{what} {field!r} is not a date")
        return None
    return date.isoformat()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
