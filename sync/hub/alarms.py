"""Alarms the control room must see and acknowledge, wherever they came from.

Three sources raise them into the hub store's ``alarms`` table:

* the receiver, when a lane's log looks tampered with or forked
  (``conflict``, ``chain_broken``, ``hash_mismatch`` — :mod:`sync.hub.store`);
* the projector, from synced events: a trace alarm, weight discrepancy,
  invalid or expired document or watchlist hit recorded at an inspection,
  and ``lane_store_repaired`` when a lane recorded that it rebuilt read
  models or put back protective triggers (:mod:`sync.hub.projector`);
* a lane's live status, for a trace detector that alarms before anyone has
  attached the result, and for the lane's own verification of its log
  (:meth:`AlarmBook.from_status`): ``lane_chain_broken`` when the lane finds
  its chain broken, ``chain_mismatch`` when the head it reports is a seq the
  hub holds with another hash (its log was rewritten after it was synced).

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
STORE_REPAIRED = "lane_store_repaired"
LANE_CHAIN_BROKEN = "lane_chain_broken"
CHAIN_MISMATCH = "chain_mismatch"
#: what the board calls each kind
LABELS = {
    "trace_alarm": "Trace alarm", "weight_discrepancy": "Weight discrepancy",
    "watchlist_hit": "Watchlist hit", "invalid_document": "Invalid document",
    "conflict": "Log conflict", "chain_broken": "Chain break", "hash_mismatch": "Tampered event",
    LANE_CHAIN_BROKEN: "Lane log tampered", CHAIN_MISMATCH: "Lane log differs from hub copy",
    STORE_REPAIRED: "Lane store repaired",
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
        """Raise what a lane's status shows: the live trace alarms it lists, and
        its chain report compared with the hub's copy (:func:`chain_findings`);
        the new alarms. Writes only when there is something to raise."""
        found = [(LIVE_TRACE, 0, {"source": "live", **{k: alarm.get(k) for k in
                                                        ("device_id", "ts", "sample_id", "substances")}},
                  f"live:{alarm.get('device_id')}:{alarm.get('ts')}")
                 for alarm in status.get("alarms") or [] if alarm.get("kind") == LIVE_TRACE]
        chain = status.get("chain")
        if chain:
            found += chain_findings(lane, chain, self._held_hashes(lane, _links(chain)))
        if not found:
            return []
        at = iso_utc(self._clock())

        def insert(conn: Any) -> list[dict[str, Any]]:
            raised = (raise_alarm(conn, lane, kind, seq, detail, at, ref) for kind, seq, detail, ref in found)
            return [alarm for alarm in raised if alarm]

        return self._store.write(insert)

    def _held_hashes(self, lane: str, links: list[dict[str, Any]]) -> dict[int, str]:
        """The hashes the hub holds at the seqs of ``links`` (those it holds)."""
        seqs = sorted({link["seq"] for link in links})
        if not seqs:
            return {}
        with self._store.read() as conn:
            return dict(conn.execute(f"SELECT seq, hash FROM events WHERE lane = ? AND seq IN "
                                     f"({', '.join('?' * len(seqs))})", (lane, *seqs)).fetchall())

    def counts(self, since: str) -> dict[str, int]:
        """Alarms raised since ``since`` (ISO-8601), by kind."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT kind, count(*) FROM alarms WHERE at >= ? GROUP BY kind",
                                (since,)).fetchall()
        return dict(rows)


def _links(chain: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``{seq, hash}`` pairs a chain report vouches for: the verified head,
    and the lane's stored hash at the hub's last ack."""
    return [link for link in (chain["head"], chain.get("acked")) if link]


def chain_findings(lane: str, chain: dict[str, Any], held: dict[int, str]
                   ) -> list[tuple[str, int, dict[str, Any], str]]:
    """The alarms a lane's chain report calls for, as ``(kind, seq, detail, ref)``:
    the lane's own verdict that its chain is broken, and the first reported
    ``{seq, hash}`` whose hash is not the one the hub holds at that seq
    (``held``; a seq the hub does not hold yet proves nothing). ``ref`` names
    the finding, so a lane repeating it every few seconds raises it once."""
    found = []
    broken_at = chain.get("broken_at")
    if chain["state"] == "broken" and broken_at is not None:
        reason = chain.get("reason") or "no reason given"
        found.append((LANE_CHAIN_BROKEN, broken_at, {
            "message": f"lane {lane} finds its own log broken at seq {broken_at}: {reason}",
            "broken_at": broken_at, "reason": reason, "verified_at": chain.get("verified_at")},
            f"status:broken:{broken_at}"))
    differing = sorted((link["seq"], link["hash"]) for link in _links(chain)
                       if link["seq"] in held and held[link["seq"]] != link["hash"])
    if differing:
        seq, reported = differing[0]
        found.append((CHAIN_MISMATCH, seq, {
            "message": f"lane {lane} holds seq {seq} with another hash than the hub's copy: "
                       f"its log was changed after it was synced",
            "seq": seq, "held_hash": held[seq], "reported_hash": reported},
            f"status:mismatch:{seq}:{reported}"))
    return found
