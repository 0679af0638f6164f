"""Retention and erasure at the lane: a case's sealing key, legal hold, erasure
(by order or when the retention period ends) and the job that applies the
periods (docs/evidence.md "Retention and erasure").

A case is an inspection (a seizure belongs to its inspection's case): its
personal fields are sealed with the case's key (common.personal_data), the
key lives in the store's key table (common.eventlog.case_keys), and erasing
the case is one ``case.erased`` event whose projection destroys the key in
the same transaction. The log is never rewritten, so ``lanebox verify``
verifies it as before. A case under legal hold is never erased, by order or
by the job.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sqlite3
from datetime import timedelta
from typing import Any

from common.clock import Clock, parse_iso, utc_now
from common.erasure import (
    ERASED,
    LEGAL_HOLD,
    RETENTION_ENDED,
    RetentionPeriods,
    case_standing,
    erasure_payload,
    record_type,
)
from common.eventlog.case_keys import case_key_ids, make_key_in, wipe_freed
from common.eventlog.chain import canonical_json
from common.eventlog.store import EventStore
from common.periodic import Periodic, PeriodicPart
from common.personal_data import seal_paths

log = logging.getLogger(__name__)

#: how often the retention job looks for cases past their period
CHECK_INTERVAL_S = 3600.0


class ErasureRefused(Exception):
    """Why a case cannot be erased, held or sealed to now: ``code`` (``not_found``,
    ``case_open``, ``legal_hold``, ``case_erased``, ``not_held``) and a message in words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def case_of(store: EventStore, case_id: str) -> str | None:
    """The inspection whose case ``case_id`` names (an inspection's id, or a seizure's), or None."""
    case_id = case_id.lower()
    rows = store.query("SELECT id FROM inspections WHERE id = ? UNION ALL "
                       "SELECT inspection_id FROM seizures WHERE id = ?", (case_id, case_id))
    return rows[0]["id"] if rows else None


def _erased_in(conn: sqlite3.Connection, case_id: str) -> bool:
    return conn.execute("SELECT 1 FROM record_events r JOIN events e ON e.seq = r.seq "
                        "WHERE r.record_id = ? AND e.type = ? LIMIT 1", (case_id, ERASED)).fetchone() is not None


def sealing_key(store: EventStore, case_id: str) -> bytes:
    """The key a case's personal fields are sealed with, made on first use; an erased
    case gets none (:class:`ErasureRefused` ``case_erased``): nothing new of it is kept."""

    def make(conn: sqlite3.Connection) -> bytes:
        if _erased_in(conn, case_id):
            raise ErasureRefused("case_erased", f"the personal data of case {case_id} was erased; "
                                                "nothing personal is recorded for it any more")
        return make_key_in(conn, case_id)

    return store.run_write(make)


def erasure_refusal(store: EventStore, case_id: str) -> ErasureRefused | None:
    """Why the case may not be erased now, or None. Runs inside the erasure's write (the
    store's write lock held), so nothing can set a hold between this check and the erasure."""
    rows = store.query("SELECT status FROM inspections WHERE id = ?", (case_id,))
    if not rows:
        return ErasureRefused("not_found", f"no case {case_id} at this lane")
    if rows[0]["status"] != "closed":
        return ErasureRefused("case_open", f"case {case_id} is still open: close the inspection first")
    standing = case_standing(store.record_events([case_id]))
    if standing.hold is not None:
        return ErasureRefused("legal_hold", f"case {case_id} is under legal hold ({standing.hold['reason']}, "
                                            f"set by {standing.hold['by']}): lift the hold first")
    if standing.erased is not None:
        return ErasureRefused("case_erased", f"case {case_id} was already erased")
    return None


def erasure_event(store: EventStore, case_id: str, why: str, reason: str) -> dict[str, Any]:
    """The payload of the case's erasure, or :class:`ErasureRefused`: for use inside the write."""
    refused = erasure_refusal(store, case_id)
    if refused is not None:
        raise refused
    return erasure_payload(case_id, why, reason, case_key_ids(store, case_id))


def erase(store: EventStore, case_id: str, why: str, reason: str, actor: str | None) -> dict[str, Any]:
    """Erase a case now (the CLI and the retention job; the API goes through records.write):
    one ``case.erased`` event, the key destroyed with it, the freed bytes wiped."""

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        return store.append_in(conn, ERASED, erasure_event(store, case_id, why, reason), actor).event

    event = store.run_write(write)
    wipe_freed(store.path)
    return event


def hold_event(store: EventStore, case_id: str, hold: bool, reason: str) -> dict[str, Any]:
    """The payload of a ``case.legal_hold`` setting (or lifting) the hold, or :class:`ErasureRefused`
    (``case_erased``, ``legal_hold`` when already held, ``not_held``): for use inside the write."""
    standing = case_standing(store.record_events([case_id]))
    if standing.erased is not None:
        raise ErasureRefused("case_erased", f"case {case_id} was erased; there is nothing left to hold")
    if hold and standing.hold is not None:
        raise ErasureRefused("legal_hold", f"case {case_id} is already under legal hold ({standing.hold['reason']})")
    if not hold and standing.hold is None:
        raise ErasureRefused("not_held", f"case {case_id} is not under legal hold")
    return {"inspection_id": case_id, "case_id": case_id, "hold": hold, "reason": reason}


def set_legal_hold(store: EventStore, case_id: str, hold: bool, reason: str, actor: str) -> dict[str, Any]:
    """Set or lift a legal hold now (the CLI; the API goes through records.write)."""
    return store.run_write(lambda conn: store.append_in(conn, LEGAL_HOLD, hold_event(store, case_id, hold, reason),
                                                        actor).event)


def due_for_erasure(store: EventStore, periods: RetentionPeriods, now: Any) -> list[str]:
    """The closed cases holding a key whose retention period has ended by ``now``
    (held cases included: :func:`erasure_refusal` keeps those)."""
    rows = store.query("SELECT i.id, i.status, i.outcome, i.closed_at, "
                       "EXISTS (SELECT 1 FROM seizures s WHERE s.inspection_id = i.id) AS seized "
                       "FROM inspections i WHERE i.status = 'closed' AND i.closed_at IS NOT NULL AND "
                       "EXISTS (SELECT 1 FROM case_keys k WHERE k.case_id = i.id) ORDER BY i.closed_at")
    due = []
    for row in rows:
        days = periods.period(record_type(row["status"], row["outcome"], bool(row["seized"])))
        if days is not None and parse_iso(row["closed_at"]) + timedelta(days=days) <= now:
            due.append(row["id"])
    return due


def apply_retention(store: EventStore, periods: RetentionPeriods, clock: Clock = utc_now) -> list[str]:
    """Erase every case past its period that is not under legal hold; the cases erased."""
    erased = []
    for case_id in due_for_erasure(store, periods, clock()):
        try:
            erase(store, case_id, RETENTION_ENDED, "the retention period for its record type ended", None)
        except ErasureRefused as refused:
            log.info("retention: case %s kept: %s", case_id, refused.message)
            continue
        erased.append(case_id)
    if erased:
        log.info("retention: erased the personal data of %d case(s)", len(erased))
    return erased


class RetentionJob(PeriodicPart):
    """Applies the lane's ``[retention]`` periods at start and every hour."""

    def __init__(self, store: EventStore, periods: RetentionPeriods, clock: Clock = utc_now,
                 interval: float = CHECK_INTERVAL_S) -> None:
        self._periodic = Periodic("retention", lambda: apply_retention(store, periods, clock), interval)


#: what a seizure's person entry holds that identifies them (the role and the kinds of document stay in clear)
PERSON_PATHS = tuple((name,) for name in ("surname", "given_names", "birth_date", "nationality", "document_number",
                                          "document_country"))


def sealed_persons(persons: list[dict[str, Any]], case_id: str, key: bytes) -> list[dict[str, Any]]:
    """A seizure's persons with their identifying fields sealed under the case's key."""
    return [seal_paths(person, PERSON_PATHS, case_id, key) for person in persons]


def persons_fingerprint(persons: list[dict[str, Any]], key: bytes) -> dict[str, str]:
    """What a write's kept request holds in place of the persons (edge.api.records compares a retry's
    request with it): an HMAC under the case's key, equal for equal persons, and meaningless once
    the key is destroyed, where a plain hash of a name and a birth date could be guessed back."""
    return {"hmac_sha256": hmac.new(key, canonical_json(persons), hashlib.sha256).hexdigest()}
