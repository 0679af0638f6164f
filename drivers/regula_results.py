"""What a Regula Document Reader Web API answer says about one document — pure.

A full-page reader does more than OCR the machine-readable zone: it reads
the visual zone and compares the two, reads the chip and verifies it
(passive, active, chip authentication...), and runs authenticity checks
under UV and IR light. Its web API answers a ``ProcessResponse``
(docs/protocols.md section 10): a ``ContainerList`` of results, each with a
``result_type`` — 36 ``Text`` (every field from every source, with validity
and cross-source comparisons), 33 ``Status`` (overall, optical, RFID with
its details) and 20 ``AuthenticityCheckList``.

:func:`document_reading` turns that into a lanebox document reading: the
``mrz`` exactly as the mrz-reader driver gives it (the lane checks the MRZ
itself, :func:`drivers.validation.mrz.parse_mrz`, and does not take the
reader's word for its check digits), plus ``verification`` — what the
reader found, recorded as it said it. A check result is ``ok``, ``failed``
or ``not_done`` (the API's 1, 0 and 2). The answer is untrusted: anything
that is not the documented shape raises :class:`AnswerError` with a fixed
reason (never the answer's text), and the driver drops it, counted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from drivers.validation.mrz import parse_mrz

CHECK = {0: "failed", 1: "ok", 2: "not_done"}
"""The API's CheckResult: 0 negative, 1 positive, 2 not performed."""
PROCESSING_FINISHED = 1
"""ProcessingStatus: 0 not finished, 1 finished, 2 finished by timeout."""
STATUS, TEXT, AUTHENTICITY = 33, 36, 20
"""The result types read (rt.yml)."""
MRZ_STRINGS = 51
"""The text field holding the MRZ lines, separated by ``^`` (e-text-field-type.yml)."""
FIELD_NAMES = {0: "document_class", 1: "issuing_state", 2: "document_number", 3: "expiry_date",
               4: "issue_date", 5: "birth_date", 7: "personal_number", 8: "surname", 9: "given_names",
               11: "nationality", 12: "sex", 25: "surname_and_given_names", 26: "nationality_code",
               36: "optional_data"}
"""TextFieldType codes named in a comparison; other fields are ``field N``."""
AUTHENTICITY_CHECKS = {1: "uv_luminescence", 2: "ir_b900", 4: "image_pattern", 8: "axial_protection",
                       16: "uv_fibers", 32: "ir_visibility", 64: "ocr_security_text", 128: "ipi",
                       512: "photo_embed_type", 1024: "ovi", 4096: "holograms", 8192: "photo_area",
                       32768: "portrait_comparison", 65536: "barcode_format_check", 131072: "kinegram",
                       262144: "letter_screen", 524288: "hologram_detection", 1048576: "fingerprint_comparison",
                       2097152: "liveness", 4194304: "extended_ocr_check", 8388608: "extended_mrz_check",
                       16777216: "encrypted_ipi"}
"""AuthenticityResultType codes (authenticity/e-result-type.yml)."""
RFID_CHECKS = ("PA", "AA", "CA", "TA", "BAC", "PACE")
"""detailsRFID: passive, active, chip and terminal authentication; the two access protocols."""
COMPARED = (("MRZ", "VISUAL"), ("MRZ", "RFID"))
"""The cross-source comparisons recorded: the MRZ against the visual zone, and against the chip."""
MAX_TEXT = 200
"""Longest text value kept from an answer (a name, a number); a longer one spoils the answer."""
MAX_ITEMS = 1000
"""Most entries read from any one list of an answer."""
TRANSACTION_ID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
"""A transaction id is a UUID (p-transaction.yml) — and so safe in a URL path."""
PRINTABLE = re.compile(r"[^\x00-\x1f\x7f-\x9f]*")


class AnswerError(ValueError):
    """The answer is not the documented shape; the message is a fixed reason, quoting nothing of it."""


def processing_finished(answer: Any) -> bool:
    """Whether the reader has finished this document (False: ask again later); AnswerError if not an answer."""
    state = _table(answer, "the answer").get("ProcessingFinished")
    if not _is_int(state) or state not in (0, 1, 2):
        raise AnswerError("no processing state in the answer")
    return state == PROCESSING_FINISHED


def document_reading(answer: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The ``data`` of a document reading from a finished answer (see the module); AnswerError otherwise."""
    if not processing_finished(answer):
        raise AnswerError("the document is not processed yet")
    containers = _containers(answer)
    text, status = containers.get(TEXT), containers.get(STATUS)
    if text is None:
        raise AnswerError("no text result in the answer")
    fields = _list(text.get("fieldList"), "the text fields")
    lines = _mrz_lines(fields)
    transaction = _table(answer.get("TransactionInfo", {}), "the transaction info").get("TransactionID")
    comparisons = {f"{left.lower()}_{right.lower()}": _comparison(fields, left, right) for left, right in COMPARED}
    return {
        "mrz": parse_mrz(lines, today),
        "verification": {
            "overall": _status_check(status, "overallStatus"),
            "mrz_visual": comparisons["mrz_visual"],
            "chip": _chip(status, comparisons["mrz_rfid"]),
            "authenticity": _authenticity(status, containers.get(AUTHENTICITY)),
        },
        "transaction_id": transaction if isinstance(transaction, str) and TRANSACTION_ID.fullmatch(transaction)
        else None,
    }


def transaction_ids(listing: Any) -> list[str]:
    """The ids in a transactions-by-tag answer, in its order; AnswerError if one is not a UUID."""
    items = _list(_table(listing, "the transaction list").get("items"), "the transaction list")
    ids = []
    for item in items:
        transaction = _table(item, "a transaction").get("id")
        if not isinstance(transaction, str) or not TRANSACTION_ID.fullmatch(transaction):
            raise AnswerError("a transaction id is not a UUID")
        ids.append(transaction.lower())
    return ids


def identity(health: Any) -> dict[str, str]:
    """Who the service says it is, from ``GET /api/healthz``; AnswerError if it is not a health answer."""
    table = _table(health, "the health answer")
    app = table.get("app")
    if not isinstance(app, str):
        raise AnswerError("not a Document Reader health answer")
    found = {"model": _text(app), "software": _text(table.get("version"))}
    database = table.get("documentsDatabase")
    if isinstance(database, dict):
        found["database"] = " ".join(filter(None, (_text(database.get("id")), _text(database.get("version")))))
    return {key: value for key, value in found.items() if value}


# ----- the parts of an answer -------------------------------------------

def _containers(answer: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The first result of each type read, by type, from the answer's ContainerList."""
    listing = _list(_table(answer.get("ContainerList"), "the container list").get("List"), "the container list")
    keys = {TEXT: "Text", STATUS: "Status", AUTHENTICITY: "AuthenticityCheckList"}
    found: dict[int, dict[str, Any]] = {}
    for item in listing:
        kind = _table(item, "a result").get("result_type")
        if _is_int(kind) and kind in keys and kind not in found:
            found[kind] = _table(item.get(keys[kind]), "a result")
    return found


def _mrz_lines(fields: list[Any]) -> list[str]:
    """The MRZ's lines: the MRZ source's value of the MRZ strings field, its lines parted by ``^`` (or a line end)."""
    for field in fields:
        if _table(field, "a text field").get("fieldType") == MRZ_STRINGS:
            value = _source_value(field, "MRZ", line_ends=True)
            if value:
                return [line.strip() for line in re.split(r"[\^\r\n]+", value) if line.strip()]
    raise AnswerError("no MRZ in the answer")


def _source_value(field: dict[str, Any], source: str, line_ends: bool = False) -> str | None:
    for entry in _list(field.get("valueList", []), "a field's values"):
        if _table(entry, "a field value").get("source") == source:
            value = entry.get("value")
            return _text(value.replace("\r", "^").replace("\n", "^") if line_ends and isinstance(value, str)
                         else value)
    return None


def _comparison(fields: list[Any], left: str, right: str) -> dict[str, Any]:
    """The reader's comparisons of ``left`` against ``right``: failed if any field differs, ok if some agreed."""
    results, mismatches = [], []
    for field in fields:
        field = _table(field, "a text field")
        for entry in _list(field.get("comparisonList", []), "a field's comparisons"):
            entry = _table(entry, "a comparison")
            if (entry.get("sourceLeft"), entry.get("sourceRight")) not in ((left, right), (right, left)):
                continue
            result = _check(entry.get("status"))
            results.append(result)
            if result == "failed":
                code = field.get("fieldType")
                mismatches.append({"field": FIELD_NAMES.get(code, f"field {code}") if _is_int(code) else "field",
                                   left.lower(): _source_value(field, left),
                                   right.lower(): _source_value(field, right)})
    status = "failed" if "failed" in results else "ok" if "ok" in results else "not_done"
    return {"status": status, "mismatches": mismatches}


def _chip(status: dict[str, Any] | None, against_mrz: dict[str, Any]) -> dict[str, Any]:
    details = _table(status.get("detailsRFID", {}), "the chip details") if status is not None else {}
    return {"status": _status_check(status, "rfid"),
            "checks": {name.lower(): _check(details.get(name, 2)) for name in RFID_CHECKS},
            "mrz_match": against_mrz}


def _authenticity(status: dict[str, Any] | None, checks: dict[str, Any] | None) -> dict[str, Any]:
    optical = _table(status.get("detailsOptical", {}), "the optical details") if status is not None else {}
    results: dict[str, str] = {}
    if checks is not None:
        for check in _list(checks.get("List"), "the authenticity checks"):
            check = _table(check, "an authenticity check")
            code = check.get("Type")
            name = AUTHENTICITY_CHECKS.get(code, f"check {code}") if _is_int(code) else "check"
            result = _check(check.get("Result"))
            if results.get(name) != "failed":  # one failing element of a kind fails the kind
                results[name] = result
    return {"status": _check(optical.get("security", 2)), "checks": results,
            "failed": sorted(name for name, result in results.items() if result == "failed")}


def _status_check(status: dict[str, Any] | None, key: str) -> str:
    return _check(status.get(key)) if status is not None else "not_done"


# ----- strict reading of untrusted JSON ---------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(value: Any) -> str:
    if not _is_int(value) or value not in CHECK:
        raise AnswerError("a check result is not 0, 1 or 2")
    return CHECK[value]


def _table(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnswerError(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise AnswerError(f"{what} is not a list of at most {MAX_ITEMS}")
    return value


def _text(value: Any) -> str | None:
    """A text value as kept in a reading: None stays None; anything but short printable text spoils the answer."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or not PRINTABLE.fullmatch(value):
        raise AnswerError("a text value is not short printable text")
    return value
