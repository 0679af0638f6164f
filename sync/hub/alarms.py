"""Alarms the control room must see and acknowledge, wherever they came from.

Three sources raise them into the hub store's ``alarms`` table:

* the receiver, when a lane's log looks tampered with or forked
  (``conflict``, ``chain_broken``, ``hash_mismatch`` — :mod:`sync.hub.store`);
* the projector, from synced events: a trace alarm, weight discrepancy,
  invalid or expired document or watchlist hit recorded at an inspection
  (:mod:`sync.hub.projector`);
* a lane's live status, for a trace detector that alarms before anyone has
  attached the result (:meth:`AlarmBook.from_status`).

Each alarm is raised once per ``(lane, kind, ref)`` — ``ref`` names what
raised it (an event, a reading) — so a status repeated every few seconds or a
projector re-run after a crash raises nothing twice, and an acknowledged
alarm stays acknowledged. An acknowledgement keeps who and when; nothing
else about an alarm ever changes (the store's triggers see to it).
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from common.clock import iso_utc
from sync.hub.store import HubStore

LIVE_TRACE = "trace_alarm"
#: what the board calls each kind
LABELS = {
    "trace_alarm": "Trace alarm", "weight_discrepancy": "Weight discrepancy",
    "watchlist_hit": "Watchlist hit", "invalid_document": "Invalid document",
    "conflict": "Log conflict", "chain_broken": "Chain break", "hash_mismatch": "Tampered event",
}
_COLUMNS = ("id", "lane", "kind", "seq", "detail", "at", "acknowledged_by", "acknowledged_at", "ref")
_RAISE = ("INSERT INTO alarms (lane, kind, seq, detail, at, ref) VALUES (?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (lane, kind, ref) DO NOTHING RETURNING id")


class AlarmNotFound(LookupError):
    """No alarm with that id."""


def alarm_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """An ``alarms`` row (in ``_COLUMNS`` order) as the API and the board see it."""
    alarm = dict(zip(_COLUMNS, row))
    alarm["detail"] = json.loads(alarm["detail"])
    alarm["label"] = LABELS.get(alarm["kind"], alarm["kind"].replace("_", " "))
    return alarm


def raise_alarm(conn: Any, lane: str, kind: str, seq: int, detail: dict[str, Any], at: str,
                ref: str) -> dict[str, Any] | None:
    """Raise an alarm inside the caller's write; the new alarm, or None if
    ``(lane, kind, ref)`` was raised before."""
    text = json.dumps(detail, sort_keys=True)
    row = conn.execute(_RAISE, (lane, kind, seq, text, at, ref)).fetchone()
    if row is None:
        return None
    return alarm_row((row[0], lane, kind, seq, text, at, None, None, ref))


class AlarmBook:
    """Reading, raising and acknowledging alarms over the hub store."""

    def __init__(self, store: HubStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def list(self, *, lane: str | None = None, open_only: bool = False,
             limit: int = 200) -> list[dict[str, Any]]:
        """Newest first; one lane's or all; only unacknowledged ones if asked."""
        where = [*(["lane = ?"] if lane else []), *(["acknowledged_at IS NULL"] if open_only else [])]
        sql = (f"SELECT {', '.join(_COLUMNS)} FROM alarms "
               f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id DESC LIMIT ?")
        params = (lane, limit) if lane else (limit,)
        with self._store.read() as conn:
            return [alarm_row(r) for r in conn.execute(sql, params).fetchall()]

    def count_open(self) -> int:
        """How many alarms wait for acknowledgement."""
        with self._store.read() as conn:
            return conn.execute("SELECT count(*) FROM alarms WHERE acknowledged_at IS NULL").fetchone()[0]

    def get(self, alarm_id: int) -> dict[str, Any]:
        with self._store.read() as conn:
            row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE id = ?",
                               (alarm_id,)).fetchone()
        if row is None:
            raise AlarmNotFound(f"alarm {alarm_id}")
        return alarm_row(row)

    def latest(self, lane: str, kind: str, seq: int) -> dict[str, Any] | None:
        """The newest alarm of ``kind`` at ``seq`` of a lane (what the receiver just raised)."""
        with self._store.read() as conn:
            row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE lane = ? AND "
                               f"kind = ? AND seq = ? ORDER BY id DESC LIMIT 1",
                               (lane, kind, seq)).fetchone()
        return alarm_row(row) if row else None

    def acknowledge(self, alarm_id: int, username: str) -> tuple[dict[str, Any], bool]:
        """Acknowledge as ``username`` now; (the alarm, False) if it already was."""
        at = iso_utc(self._clock())

        def update(conn: Any) -> bool:
            found = conn.execute("SELECT acknowledged_at FROM alarms WHERE id = ?",
                                 (alarm_id,)).fetchone()
            if found is None:
                raise AlarmNotFound(f"alarm {alarm_id}")
            if found[0] is not None:
                return False
            conn.execute("UPDATE alarms SET acknowledged_by = ?, acknowledged_at = ? "
                         "WHERE id = ?", (username, at, alarm_id))
            return True

        changed = self._store.write(update)
        return self.get(alarm_id), changed

    def from_status(self, lane: str, status: dict[str, Any]) -> list[dict[str, Any]]:
        """Raise the live trace alarms a lane's status lists; the new ones."""
        alarms = [a for a in status.get("alarms") or [] if a.get("kind") == LIVE_TRACE]
        if not alarms:
            return []
        at = iso_utc(self._clock())

        def insert(conn: Any) -> list[dict[str, Any]]:
            raised = []
            for alarm in alarms:
                ref = f"live:{alarm.get('device_id')}:{alarm.get('ts')}"
                detail = {"source": "live", **{k: alarm.get(k) for k in
                                               ("device_id", "ts", "sample_id", "substances")}}
                new = raise_alarm(conn, lane, LIVE_TRACE, 0, detail, at, ref)
                if new:
                    raised.append(new)
            return raised

        return self._store.write(insert)

    def counts(self, since: str) -> dict[str, int]:
        """Alarms raised since ``since`` (ISO-8601), by kind."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT kind, count(*) FROM alarms WHERE at >= ? GROUP BY kind",
                                (since,)).fetchall()
        return dict(rows)
