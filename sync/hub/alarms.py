"""Alarms the control room must see and acknowledge, wherever they came from.

Three sources raise them into the hub store's ``alarms`` table:

* the receiver, when a lane's log looks tampered with or forked
  (``conflict``, ``chain_broken``, ``hash_mismatch`` — :mod:`sync.hub.store`);
* the projector, from synced events: a trace alarm, weight discrepancy,
  invalid or expired document or watchlist hit recorded at an inspection,
  a radiation portal monitor's alarm (``rpm_alarm``, cleared by the
  officer's adjudication at the lane: :func:`clear_by_lane`), a custody
  alarm a receipt of an evidence bag recorded (``custody_weight``: heavier or
  lighter than the scales explain; ``custody_seal``: broken or another seal),
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
alarm stays acknowledged.

**Severity** is set per kind (:class:`AlarmSettings`: critical, major,
minor, warning; the hub's ``[alarms.severity]`` overrides the defaults),
and so is that of device trouble a lane reports (calibration due,
disconnected), which the board shows beside alarms.

**Lifecycle** (after ISA-18.2): *unacknowledged* when raised; *acknowledged*
by a supervisor, with a note; *cleared* by a supervisor once dealt with
(only after it was acknowledged, so the two are separate steps, each with
its own who and when); it may be *assigned* to a hub user at any point
before it is cleared. A source — a lane's alarms of one kind — may be
*shelved* for a time with a reason: its alarms still rise and are kept, the
board hides them until the time runs out or someone unshelves it. Every
step is an entry in the hub's hash-chained alarm log
(:mod:`sync.hub.alarm_log`); the alarm's row keeps only what was raised
and, as before, who acknowledged it first (the store's triggers allow
nothing else), and its state is folded from the log.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from common.clock import iso_utc
from common.web.errors import ApiError
from sync.hub import alarm_log
from sync.hub.alarm_log import ACKNOWLEDGED, ASSIGNED, CLEARED, SHELVED, UNSHELVED
from sync.hub.store import HubStore

LIVE_TRACE = "trace_alarm"
STORE_REPAIRED = "lane_store_repaired"
LANE_CHAIN_BROKEN = "lane_chain_broken"
CHAIN_MISMATCH = "chain_mismatch"
RPM_ALARM = "rpm_alarm"
#: kinds the board may not hide: each needs a decision at the lane
UNSHELVABLE = frozenset({RPM_ALARM})
CUSTODY_WEIGHT, CUSTODY_SEAL = "custody_weight", "custody_seal"
#: what the board calls each kind
LABELS = {
    "trace_alarm": "Trace alarm", "weight_discrepancy": "Weight discrepancy",
    "watchlist_hit": "Watchlist hit", "invalid_document": "Invalid document",
    "conflict": "Log conflict", "chain_broken": "Chain break", "hash_mismatch": "Tampered event",
    LANE_CHAIN_BROKEN: "Lane log tampered", CHAIN_MISMATCH: "Lane log differs from hub copy",
    STORE_REPAIRED: "Lane store repaired", RPM_ALARM: "Radiation alarm",
    CUSTODY_WEIGHT: "Evidence bag weight differs", CUSTODY_SEAL: "Evidence bag seal",
}
LEVELS = ("critical", "major", "minor", "warning")
"""Severities, worst first."""
DEFAULT_SEVERITY = {
    "trace_alarm": "critical", "watchlist_hit": "critical", "conflict": "critical",
    "chain_broken": "critical", "hash_mismatch": "critical", LANE_CHAIN_BROKEN: "critical",
    CHAIN_MISMATCH: "critical", STORE_REPAIRED: "critical", RPM_ALARM: "critical", "weight_discrepancy": "major",
    "invalid_document": "minor", CUSTODY_WEIGHT: "major", CUSTODY_SEAL: "major",
    # device trouble a lane reports in its status, shown beside alarms
    "disconnected": "major", "error": "major", "locked": "minor", "calibration_due": "warning",
}
DEVICE_TROUBLE = ("disconnected", "error", "locked", "calibration_due")
MAX_SHELVE_MIN = 24 * 60
DEFAULT_INSPECTION_WARN_MIN = 20


@dataclass(frozen=True)
class AlarmSettings:
    """How the board weighs alarms: each kind's severity (and each device
    trouble's), and how long an inspection may stay open before its lane is
    highlighted."""

    severity: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    inspection_warn_min: int = DEFAULT_INSPECTION_WARN_MIN

    def of(self, kind: str) -> str:
        """A kind's severity; a kind nobody has set is major (never silently minor)."""
        return self.severity.get(kind, "major")

    def public(self) -> dict[str, Any]:
        return {"severity": dict(sorted(self.severity.items())), "levels": list(LEVELS),
                "labels": dict(LABELS), "device_trouble": list(DEVICE_TROUBLE),
                "inspection_warn_min": self.inspection_warn_min}


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
    alarm["severity"] = DEFAULT_SEVERITY.get(alarm["kind"], "major")
    alarm["state"] = "acknowledged" if alarm["acknowledged_at"] else "unacknowledged"
    alarm.update(note=None, assignee=None, cleared_by=None, cleared_at=None, adjudication=None, history=[])
    return alarm


def fold(alarm: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The alarm's state from its log entries (oldest first): acknowledged
    (with its note), assigned, cleared, and its whole history."""
    for entry in entries:
        detail = entry["detail"]
        if entry["action"] == ACKNOWLEDGED:
            alarm["state"], alarm["note"] = "acknowledged", detail.get("note") or None
        elif entry["action"] == ASSIGNED:
            alarm["assignee"] = detail.get("assignee")
        elif entry["action"] == CLEARED:
            alarm.update(state="cleared", cleared_by=entry["actor"], cleared_at=entry["at"],
                         adjudication=detail.get("adjudication"))
    alarm["history"] = entries
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


def clear_by_lane(conn: Any, database: Any, lane: str, kind: str, ref: str, *, actor: str, at: str,
                  detail: dict[str, Any]) -> dict[str, Any] | None:
    """Clear, inside the caller's write, the alarm ``(lane, kind, ref)`` that the lane itself has
    dealt with (an officer adjudicated a radiation alarm): acknowledged first if nobody had, then
    cleared, each an entry of the alarm log by ``actor`` (the officer at the lane) with ``detail``.
    The alarm as it now is; None if there is none or it was cleared already."""
    row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE lane = ? AND kind = ? AND ref = ?",
                       (lane, kind, ref)).fetchone()
    if row is None:
        return None
    alarm = fold(alarm_row(row), alarm_log.for_alarms(conn, [row[0]]).get(row[0], []))
    if alarm["state"] == "cleared":
        return None
    if alarm["state"] == "unacknowledged":
        conn.execute("UPDATE alarms SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                     (actor, at, alarm["id"]))
        alarm_log.append(conn, database, action=ACKNOWLEDGED, actor=actor, at=at, lane=lane, alarm_id=alarm["id"],
                         kind=kind, detail=detail)
    alarm_log.append(conn, database, action=CLEARED, actor=actor, at=at, lane=lane, alarm_id=alarm["id"], kind=kind,
                     detail=detail)
    found = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE id = ?", (alarm["id"],)).fetchone()
    return fold(alarm_row(found), alarm_log.for_alarms(conn, [alarm["id"]]).get(alarm["id"], []))


class AlarmBook:
    """Reading, raising and the lifecycle of alarms over the hub store."""

    def __init__(self, store: HubStore, clock: Callable[[], float] = time.time,
                 settings: AlarmSettings | None = None) -> None:
        self._store = store
        self._clock = clock
        self.settings = settings or AlarmSettings()

    def list(self, *, lane: str | None = None, open_only: bool = False, state: str | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
        """Newest first; one lane's or all; only unacknowledged ones if
        ``open_only``; or those in ``state`` (``active``: not cleared)."""
        cleared = "EXISTS (SELECT 1 FROM alarm_log l WHERE l.alarm_id = alarms.id AND l.action = 'cleared')"
        where = [*(["lane = ?"] if lane else []), *(["acknowledged_at IS NULL"] if open_only else []),
                 *{None: [], "active": [f"NOT {cleared}"], "cleared": [cleared],
                   "unacknowledged": ["acknowledged_at IS NULL"],
                   "acknowledged": ["acknowledged_at IS NOT NULL", f"NOT {cleared}"]}[state]]
        sql = (f"SELECT {', '.join(_COLUMNS)} FROM alarms "
               f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id DESC LIMIT ?")
        params = (lane, limit) if lane else (limit,)
        with self._store.read() as conn:
            return self._folded(conn, conn.execute(sql, params).fetchall())

    def _folded(self, conn: Any, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        alarms = [alarm_row(r) for r in rows]
        entries = alarm_log.for_alarms(conn, [a["id"] for a in alarms])
        shelves = self._active_shelves(conn)
        for alarm in alarms:
            fold(alarm, entries.get(alarm["id"], []))
            alarm["severity"] = self.settings.of(alarm["kind"])
            shelf = shelves.get((alarm["lane"], alarm["kind"]))
            alarm["shelved_until"] = shelf["until_at"] if shelf else None
        return alarms

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
            return self._folded(conn, [row])[0]

    def latest(self, lane: str, kind: str, seq: int) -> dict[str, Any] | None:
        """The newest alarm of ``kind`` at ``seq`` of a lane (what the receiver just raised)."""
        with self._store.read() as conn:
            row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE lane = ? AND "
                               f"kind = ? AND seq = ? ORDER BY id DESC LIMIT 1",
                               (lane, kind, seq)).fetchone()
            return self._folded(conn, [row])[0] if row else None

    def acknowledge(self, alarm_id: int, username: str, note: str = "") -> tuple[dict[str, Any], bool]:
        """Acknowledge as ``username`` now, with a note; (the alarm, False) if it already was."""
        at = iso_utc(self._clock())

        def update(conn: Any) -> bool:
            found = conn.execute("SELECT acknowledged_at, lane, kind FROM alarms WHERE id = ?",
                                 (alarm_id,)).fetchone()
            if found is None:
                raise AlarmNotFound(f"alarm {alarm_id}")
            return self._acknowledge_in(conn, alarm_id, *found, username, at, note)

        changed = self._store.write(update)
        return self.get(alarm_id), changed

    def _acknowledge_in(self, conn: Any, alarm_id: int, acknowledged_at: str | None, lane: str,
                        kind: str, username: str, at: str, note: str, **more: Any) -> bool:
        if acknowledged_at is not None:
            return False
        conn.execute("UPDATE alarms SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                     (username, at, alarm_id))
        alarm_log.append(conn, self._store.database, action=ACKNOWLEDGED, actor=username, at=at,
                         lane=lane, alarm_id=alarm_id, kind=kind, detail={"note": note, **more})
        return True

    def acknowledge_lane(self, lane: str, username: str, note: str = "") -> list[dict[str, Any]]:
        """Acknowledge every unacknowledged alarm of a lane (shelved ones too:
        they are seen in the lane's list); the alarms acknowledged."""
        at = iso_utc(self._clock())

        def update(conn: Any) -> list[int]:
            self._known_lane(conn, lane)
            rows = conn.execute("SELECT id, kind FROM alarms WHERE lane = ? AND acknowledged_at IS NULL "
                                "ORDER BY id", (lane,)).fetchall()
            for alarm_id, kind in rows:
                self._acknowledge_in(conn, alarm_id, None, lane, kind, username, at, note, whole_lane=True)
            return [r[0] for r in rows]

        done = self._store.write(update)
        return [self.get(alarm_id) for alarm_id in done]

    def clear(self, alarm_id: int, username: str, note: str = "") -> tuple[dict[str, Any], bool]:
        """Clear an acknowledged alarm; (the alarm, False) if it was cleared
        already. Refused (409) before it is acknowledged."""
        return self._step(alarm_id, username, CLEARED, {"note": note})

    def assign(self, alarm_id: int, username: str, assignee: str, note: str = "") -> tuple[dict[str, Any], bool]:
        """Give an alarm to a hub user (400 if there is no such enabled user;
        409 once cleared); (the alarm, False) if it was theirs already."""
        return self._step(alarm_id, username, ASSIGNED, {"assignee": assignee, "note": note})

    def _step(self, alarm_id: int, username: str, action: str,
              detail: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        at = iso_utc(self._clock())

        def update(conn: Any) -> bool:
            found = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE id = ?",
                                 (alarm_id,)).fetchone()
            if found is None:
                raise AlarmNotFound(f"alarm {alarm_id}")
            alarm = fold(alarm_row(found), alarm_log.for_alarms(conn, [alarm_id]).get(alarm_id, []))
            if not self._allowed(conn, alarm, action, detail):
                return False
            alarm_log.append(conn, self._store.database, action=action, actor=username, at=at,
                             lane=alarm["lane"], alarm_id=alarm_id, kind=alarm["kind"], detail=detail)
            return True

        changed = self._store.write(update)
        return self.get(alarm_id), changed

    @staticmethod
    def _allowed(conn: Any, alarm: dict[str, Any], action: str, detail: dict[str, Any]) -> bool:
        """Whether ``action`` changes anything; raises ApiError when it may not be taken."""
        if alarm["state"] == "cleared":
            if action == CLEARED:
                return False
            raise ApiError(409, "alarm_cleared", f"alarm {alarm['id']} is cleared already")
        if action == CLEARED and alarm["state"] == "unacknowledged":
            raise ApiError(409, "not_acknowledged",
                           f"alarm {alarm['id']} must be acknowledged before it is cleared")
        if action == ASSIGNED:
            user = conn.execute("SELECT 1 FROM hub_users WHERE username = ? AND disabled = 0",
                                (detail["assignee"],)).fetchone()
            if user is None:
                raise ApiError(400, "invalid_field", f"assignee: no hub user {detail['assignee']!r}",
                               field="assignee")
            return alarm["assignee"] != detail["assignee"]
        return True

    def shelve(self, lane: str, kind: str, minutes: int, reason: str, username: str) -> dict[str, Any]:
        """Shelve a lane's alarms of one kind for ``minutes`` (at most a day), with a reason.
        A radiation alarm is never shelved: it stays on the board until the officer at the lane
        has adjudicated it (the only way it clears)."""
        if kind not in LABELS:
            raise ApiError(400, "invalid_field", f"kind: not an alarm kind ({', '.join(sorted(LABELS))})",
                           field="kind")
        if kind in UNSHELVABLE:
            raise ApiError(409, "not_shelvable", f"{LABELS[kind]}s are not shelved: each stays on the board "
                                                 "until the officer at the lane adjudicates it")
        now = self._clock()
        at, until = iso_utc(now), iso_utc(now + minutes * 60)

        def insert(conn: Any) -> dict[str, Any]:
            self._known_lane(conn, lane)
            return alarm_log.append(conn, self._store.database, action=SHELVED, actor=username, at=at,
                                    lane=lane, kind=kind, until_at=until,
                                    detail={"reason": reason, "minutes": minutes})

        return _shelf(self._store.write(insert))

    def unshelve(self, shelf_seq: int, username: str) -> dict[str, Any]:
        """End a shelf before its time; 404 if there is no such active shelf."""
        at = iso_utc(self._clock())

        def insert(conn: Any) -> dict[str, Any]:
            shelf = next((s for s in self._active_shelves(conn).values() if s["seq"] == shelf_seq), None)
            if shelf is None:
                raise AlarmNotFound(f"active shelf {shelf_seq}")
            alarm_log.append(conn, self._store.database, action=UNSHELVED, actor=username, at=at,
                             lane=shelf["lane"], kind=shelf["kind"], detail={"shelf": shelf_seq})
            return shelf

        return {**_shelf(self._store.write(insert)), "ended_by": username, "ended_at": at}

    def shelves(self) -> list[dict[str, Any]]:
        """The shelves in force now, one per lane and kind (the latest)."""
        with self._store.read() as conn:
            return [_shelf(s) for s in self._active_shelves(conn).values()]

    def _active_shelves(self, conn: Any) -> dict[tuple[str, str], dict[str, Any]]:
        now = iso_utc(self._clock())
        rows = conn.execute(f"SELECT {', '.join(alarm_log.COLUMNS)} FROM alarm_log WHERE "
                            f"(action = 'shelved' AND until_at > ?) OR action = 'unshelved' ORDER BY seq",
                            (now,)).fetchall()
        active: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in map(alarm_log.entry_row, rows):
            key = (entry["lane"], entry["kind"])
            if entry["action"] == SHELVED:
                active[key] = entry
            elif key in active and active[key]["seq"] == entry["detail"].get("shelf"):
                del active[key]
        return active

    @staticmethod
    def _known_lane(conn: Any, lane: str) -> None:
        if conn.execute("SELECT 1 FROM lanes WHERE lane_id = ?", (lane,)).fetchone() is None:
            raise AlarmNotFound(f"lane {lane}")

    def log(self, **filters: Any) -> list[dict[str, Any]]:
        """Search the alarm log (:func:`sync.hub.alarm_log.search`)."""
        with self._store.read() as conn:
            return alarm_log.search(conn, **filters)

    def verify_log(self) -> dict[str, Any]:
        """Walk the alarm log's chain."""
        with self._store.read() as conn:
            return alarm_log.verify(conn)

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


def _shelf(entry: dict[str, Any]) -> dict[str, Any]:
    """A shelf as the API shows it."""
    return {"id": entry["seq"], "lane": entry["lane"], "kind": entry["kind"], "until": entry["until_at"],
            "reason": entry["detail"].get("reason"), "by": entry["actor"], "at": entry["at"]}


def alarms_of_case(conn: Any, lane: str, case_id: str) -> list[dict[str, Any]]:
    """The alarms raised at a case, each with its history (for the case view)."""
    rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM alarms WHERE lane = ? AND detail LIKE ? "
                        f"ORDER BY id", (lane, f'%"case_id": {json.dumps(case_id)}%')).fetchall()
    alarms = [alarm_row(r) for r in rows if json.loads(r[4]).get("case_id") == case_id]
    entries = alarm_log.for_alarms(conn, [a["id"] for a in alarms])
    return [fold(alarm, entries.get(alarm["id"], [])) for alarm in alarms]


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
