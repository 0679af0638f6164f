"""The hub store's schema, as numbered migrations for each engine.

A hub store records its schema version (SQLite: ``PRAGMA user_version``;
PostgreSQL: the ``schema_version`` table) and :mod:`sync.hub.db` runs, at
start and in one transaction, every migration above it
(:func:`common.eventlog.migrations.run_steps`, as the lane's store does). A migration is
never edited once released: a change is a new migration at the end.

The two engines get the same tables, keys and rules; only the spelling
differs (identity columns, trigger syntax). The rules the evidence depends
on live in the database, not only in Python, so that no code path and no
second hub worker can break them:

- a lane's events are append-only; ``(lane, seq)`` and ``(lane, id)`` are unique;
- an event is only stored as the next link of its lane's chain: seq 1 on
  the genesis hash, or seq n whose ``prev_hash`` is the held hash of n-1;
- an alarm is never deleted, and is only ever acknowledged, once;
- what people do to alarms (acknowledge, clear, assign, shelve) is the
  ``alarm_log``: append-only and hash-chained like a lane's events, each
  entry stored only as the next link (:mod:`sync.hub.alarm_log`);
- who consulted personal data at the board, and why, is the
  ``consultation_log``, kept the same way (:mod:`sync.hub.consultation_log`);
- the keys that open the lanes' sealed personal fields are kept apart from
  the events, in ``hub_case_keys``, and deleted when a case is erased
  (:mod:`sync.hub.keys`).
"""

from __future__ import annotations

from common.eventlog.chain import GENESIS_HASH
from common.eventlog.migrations import Migration

# Hub users, alarm keys and the board's read model: portable SQL, the same
# statements on both engines. JSON is kept as TEXT; what is searched is a column.
_BOARD = (
    "CREATE TABLE IF NOT EXISTS hub_users (username TEXT PRIMARY KEY, role TEXT NOT NULL, "
    "password_hash TEXT NOT NULL, disabled INTEGER NOT NULL, created_at TEXT NOT NULL, "
    "updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS hub_sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, "
    "role TEXT NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hub_sessions_expiry ON hub_sessions (expires_at)",
    # ref names what raised an alarm beyond its seq (a live reading has none);
    # one alarm per (lane, kind, ref), so a repeated report raises nothing new
    "ALTER TABLE alarms ADD COLUMN ref TEXT",
    "CREATE UNIQUE INDEX IF NOT EXISTS alarms_by_ref ON alarms (lane, kind, ref)",
    "CREATE INDEX IF NOT EXISTS alarms_by_time ON alarms (at)",
    # the projector's read model (sync.hub.projector): where it has read to,
    # one row per inspection or seizure, the terms it is found by, its events
    "CREATE TABLE IF NOT EXISTS projector_cursor (lane TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS hub_cases (lane TEXT NOT NULL, id TEXT NOT NULL, "
    "kind TEXT NOT NULL, inspection_id TEXT, plate TEXT, status TEXT NOT NULL, outcome TEXT, "
    "started_at TEXT NOT NULL, started_by TEXT, closed_at TEXT, updated_at TEXT NOT NULL, "
    "data TEXT NOT NULL, PRIMARY KEY (lane, id))",
    "CREATE INDEX IF NOT EXISTS hub_cases_started ON hub_cases (started_at)",
    "CREATE TABLE IF NOT EXISTS hub_case_terms (lane TEXT NOT NULL, case_id TEXT NOT NULL, "
    "term_type TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY (lane, case_id, term_type, term))",
    "CREATE INDEX IF NOT EXISTS hub_case_terms_term ON hub_case_terms (term)",
    "CREATE TABLE IF NOT EXISTS hub_case_events (lane TEXT NOT NULL, case_id TEXT NOT NULL, "
    "seq INTEGER NOT NULL, PRIMARY KEY (lane, case_id, seq))",
    "CREATE TABLE IF NOT EXISTS hub_duty (lane TEXT NOT NULL, seq INTEGER NOT NULL, "
    "inspection_id TEXT NOT NULL, at TEXT NOT NULL, currency TEXT, total TEXT, "
    "PRIMARY KEY (lane, seq))",
    "CREATE INDEX IF NOT EXISTS hub_duty_at ON hub_duty (at)",
)

_BOARD_SUMMARY = "hub users and sessions, alarm keys, the board's read model"
_SCOPE_SUMMARY = "hub users' lane scope: the role each has at lanes, and at which lanes"

# Where a hub user counts at the lanes (sync.hub.users): lane_role is the role
# the user has there (NULL: at no lane), lanes the JSON list of lanes (NULL:
# every lane). Users made before keep what lanes need them for: officers and
# technicians stay at every lane in their role; a board user (viewer,
# supervisor) is no longer a lane user until given a lane role.
_SCOPE = (
    "ALTER TABLE hub_users ADD COLUMN lane_role TEXT",
    "ALTER TABLE hub_users ADD COLUMN lanes TEXT",
    "UPDATE hub_users SET lane_role = role WHERE role IN ('officer', 'technician')",
)
_CHAIN_SUMMARY = "the database refuses an event that does not continue its lane's chain"
_THROTTLE_SUMMARY = "sign-in failure counts shared by every hub worker"

# The sign-in throttle's counts (sync.hub.signin_throttle): one row per key
# (username and address, address, username), deleted once idle.
def _throttle(real: str) -> tuple[str, ...]:
    return (f"CREATE TABLE signin_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
            f"last_failure {real} NOT NULL)",
            "CREATE INDEX signin_throttle_idle ON signin_throttle (last_failure)")

_ALARM_ACK_ONLY_SQLITE = (
    "OLD.acknowledged_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.lane IS NOT OLD.lane "
    "OR NEW.kind IS NOT OLD.kind OR NEW.seq IS NOT OLD.seq OR NEW.detail IS NOT OLD.detail "
    "OR NEW.at IS NOT OLD.at")


_ALARM_LOG_SUMMARY = "the alarm log: every step of an alarm's lifecycle, append-only and hash-chained"


def _alarm_log(integer: str) -> tuple[str, ...]:
    """The alarm log's table and indexes (its triggers are spelt per engine)."""
    return (f"CREATE TABLE alarm_log (seq {integer} PRIMARY KEY, alarm_id {integer}, "
            f"lane TEXT NOT NULL, kind TEXT, action TEXT NOT NULL, actor TEXT NOT NULL, "
            f"at TEXT NOT NULL, until_at TEXT, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, "
            f"hash TEXT NOT NULL)",
            "CREATE INDEX alarm_log_alarm ON alarm_log (alarm_id)",
            "CREATE INDEX alarm_log_lane ON alarm_log (lane, at)",
            "CREATE INDEX alarm_log_action ON alarm_log (action, until_at)")


_ALARM_LOG_LINK = (f"NOT (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS_HASH}' OR EXISTS ("
                   f"SELECT 1 FROM alarm_log WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash))")


_CONSULTATION_LOG_SUMMARY = ("the consultation log: who consulted or exported personal data at the board, "
                             "and why; append-only and hash-chained")
_CONSULTATION_LOG_LINK = (f"NOT (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS_HASH}' OR EXISTS ("
                          f"SELECT 1 FROM consultation_log WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash))")


def _consultation_log(integer: str) -> tuple[str, ...]:
    """The consultation log's table and indexes (sync.hub.consultation_log; triggers per engine)."""
    return (f"CREATE TABLE consultation_log (seq {integer} PRIMARY KEY, at TEXT NOT NULL, "
            f"actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, what TEXT NOT NULL, "
            f"records TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
            "CREATE INDEX consultation_log_actor ON consultation_log (actor, seq)",
            "CREATE INDEX consultation_log_at ON consultation_log (at)")


_CASE_KEYS_SUMMARY = ("the lanes' case keys (personal fields sealed in events open with them) and the cases "
                      "erased, whose keys the hub destroyed and will not hold again")


def _case_keys(integer: str) -> tuple[str, ...]:
    """The hub's key table and its record of erased cases (sync.hub.keys): portable SQL."""
    return ("CREATE TABLE hub_case_keys (lane TEXT NOT NULL, key_id TEXT NOT NULL, key TEXT NOT NULL, "
            "received_at TEXT NOT NULL, PRIMARY KEY (lane, key_id))",
            f"CREATE TABLE hub_case_erasures (lane TEXT NOT NULL, case_id TEXT NOT NULL, seq {integer} NOT NULL, "
            f"at TEXT NOT NULL, PRIMARY KEY (lane, case_id))")


_CHECKPOINTS_SUMMARY = ("the hub's countersignatures of each lane's chain head, with a TSA's token where the port "
                        "has one")


def _checkpoints(integer: str) -> tuple[str, ...]:
    """The hub's countersigned chain heads (sync.hub.countersign): portable SQL."""
    return (f"CREATE TABLE chain_checkpoints (lane TEXT NOT NULL, seq {integer} NOT NULL, hash TEXT NOT NULL, "
            f"at TEXT NOT NULL, hub_key TEXT NOT NULL, signature TEXT NOT NULL, timestamp TEXT, "
            f"PRIMARY KEY (lane, seq))",)


def sqlite_migrations() -> list[Migration]:
    """The SQLite schema history (version 1 is the schema hubs first shipped with)."""
    return [
        Migration(1, "lanes, events, alarms, lane status, reference data", (
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS lanes (lane_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, "
            "created_at TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS events (lane TEXT NOT NULL, seq INTEGER NOT NULL, "
            "id TEXT NOT NULL, type TEXT NOT NULL, ts TEXT NOT NULL, actor TEXT, "
            "payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, "
            "received_at TEXT NOT NULL, PRIMARY KEY (lane, seq), UNIQUE (lane, id))",
            "CREATE TABLE IF NOT EXISTS alarms (id INTEGER PRIMARY KEY, lane TEXT NOT NULL, "
            "kind TEXT NOT NULL, seq INTEGER NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL, "
            "acknowledged_by TEXT, acknowledged_at TEXT)",
            "CREATE TABLE IF NOT EXISTS lane_status (lane TEXT PRIMARY KEY, status TEXT NOT NULL, "
            "seen_at REAL NOT NULL)",
            "CREATE TABLE IF NOT EXISTS reference (id INTEGER PRIMARY KEY, "
            "version TEXT NOT NULL UNIQUE, data TEXT NOT NULL, loaded_at TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS alarms_open ON alarms (lane, kind, seq) "
            "WHERE acknowledged_at IS NULL",
            "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS alarms_no_delete BEFORE DELETE ON alarms "
            "BEGIN SELECT RAISE(ABORT, 'alarms are kept'); END",
            f"CREATE TRIGGER IF NOT EXISTS alarms_ack_only BEFORE UPDATE ON alarms "
            f"WHEN {_ALARM_ACK_ONLY_SQLITE} "
            f"BEGIN SELECT RAISE(ABORT, 'alarms are only acknowledged'); END",
        )),
        Migration(2, _BOARD_SUMMARY, _BOARD),
        Migration(3, _CHAIN_SUMMARY, (
            f"CREATE TRIGGER events_continue_chain BEFORE INSERT ON events "
            f"WHEN NOT (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS_HASH}' OR EXISTS ("
            f"SELECT 1 FROM events WHERE lane = NEW.lane AND seq = NEW.seq - 1 "
            f"AND hash = NEW.prev_hash)) "
            f"BEGIN SELECT RAISE(ABORT, 'an event must continue its lane''s chain'); END",
        )),
        Migration(4, _SCOPE_SUMMARY, _SCOPE),
        Migration(5, _THROTTLE_SUMMARY, _throttle("REAL")),
        Migration(6, _ALARM_LOG_SUMMARY, (
            *_alarm_log("INTEGER"),
            "CREATE TRIGGER alarm_log_no_update BEFORE UPDATE ON alarm_log "
            "BEGIN SELECT RAISE(ABORT, 'the alarm log is append-only'); END",
            "CREATE TRIGGER alarm_log_no_delete BEFORE DELETE ON alarm_log "
            "BEGIN SELECT RAISE(ABORT, 'the alarm log is append-only'); END",
            f"CREATE TRIGGER alarm_log_continue_chain BEFORE INSERT ON alarm_log "
            f"WHEN {_ALARM_LOG_LINK} "
            f"BEGIN SELECT RAISE(ABORT, 'an alarm log entry must continue the chain'); END",
        )),
        Migration(7, _CONSULTATION_LOG_SUMMARY, (
            *_consultation_log("INTEGER"),
            "CREATE TRIGGER consultation_log_no_update BEFORE UPDATE ON consultation_log "
            "BEGIN SELECT RAISE(ABORT, 'the consultation log is append-only'); END",
            "CREATE TRIGGER consultation_log_no_delete BEFORE DELETE ON consultation_log "
            "BEGIN SELECT RAISE(ABORT, 'the consultation log is append-only'); END",
            f"CREATE TRIGGER consultation_log_continue_chain BEFORE INSERT ON consultation_log "
            f"WHEN {_CONSULTATION_LOG_LINK} "
            f"BEGIN SELECT RAISE(ABORT, 'a consultation log entry must continue the chain'); END",
        )),
        Migration(8, _CASE_KEYS_SUMMARY, _case_keys("INTEGER")),
        Migration(9, _CHECKPOINTS_SUMMARY, _checkpoints("INTEGER")),
    ]


def _pg_trigger(name: str, table: str, when: str, body: str) -> tuple[str, str]:
    """A PostgreSQL trigger and its function (PostgreSQL triggers call a function)."""
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$",
        f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    )


def postgres_migrations() -> list[Migration]:
    """The PostgreSQL schema history, step for step the same as SQLite's."""
    return [
        Migration(1, "lanes, events, alarms, lane status, reference data", (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE lanes (lane_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, "
            "created_at TEXT NOT NULL)",
            "CREATE TABLE events (lane TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL, "
            "type TEXT NOT NULL, ts TEXT NOT NULL, actor TEXT, payload TEXT NOT NULL, "
            "prev_hash TEXT NOT NULL, hash TEXT NOT NULL, received_at TEXT NOT NULL, "
            "PRIMARY KEY (lane, seq), UNIQUE (lane, id))",
            "CREATE TABLE alarms (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "lane TEXT NOT NULL, kind TEXT NOT NULL, seq BIGINT NOT NULL, detail TEXT NOT NULL, "
            "at TEXT NOT NULL, acknowledged_by TEXT, acknowledged_at TEXT)",
            "CREATE TABLE lane_status (lane TEXT PRIMARY KEY, status TEXT NOT NULL, "
            "seen_at DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE reference (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "version TEXT NOT NULL UNIQUE, data TEXT NOT NULL, loaded_at TEXT NOT NULL)",
            "CREATE INDEX alarms_open ON alarms (lane, kind, seq) WHERE acknowledged_at IS NULL",
            *_pg_trigger("events_append_only", "events", "BEFORE UPDATE OR DELETE",
                         "RAISE EXCEPTION 'events are append-only';"),
            *_pg_trigger("alarms_no_delete", "alarms", "BEFORE DELETE",
                         "RAISE EXCEPTION 'alarms are kept';"),
            *_pg_trigger("alarms_ack_only", "alarms", "BEFORE UPDATE",
                         "IF OLD.acknowledged_at IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id "
                         "OR NEW.lane IS DISTINCT FROM OLD.lane OR NEW.kind IS DISTINCT FROM "
                         "OLD.kind OR NEW.seq IS DISTINCT FROM OLD.seq OR NEW.detail IS DISTINCT "
                         "FROM OLD.detail OR NEW.at IS DISTINCT FROM OLD.at THEN "
                         "RAISE EXCEPTION 'alarms are only acknowledged'; END IF; RETURN NEW;"),
        )),
        Migration(2, _BOARD_SUMMARY, _BOARD),
        Migration(3, _CHAIN_SUMMARY, (
            *_pg_trigger("events_continue_chain", "events", "BEFORE INSERT",
                         f"IF NOT (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS_HASH}' OR EXISTS ("
                         f"SELECT 1 FROM events WHERE lane = NEW.lane AND seq = NEW.seq - 1 "
                         f"AND hash = NEW.prev_hash)) THEN RAISE EXCEPTION "
                         f"'an event must continue its lane''s chain'; END IF; RETURN NEW;"),
        )),
        Migration(4, _SCOPE_SUMMARY, _SCOPE),
        Migration(5, _THROTTLE_SUMMARY, _throttle("DOUBLE PRECISION")),
        Migration(6, _ALARM_LOG_SUMMARY, (
            *_alarm_log("BIGINT"),
            *_pg_trigger("alarm_log_append_only", "alarm_log", "BEFORE UPDATE OR DELETE",
                         "RAISE EXCEPTION 'the alarm log is append-only';"),
            *_pg_trigger("alarm_log_continue_chain", "alarm_log", "BEFORE INSERT",
                         f"IF {_ALARM_LOG_LINK} THEN RAISE EXCEPTION "
                         f"'an alarm log entry must continue the chain'; END IF; RETURN NEW;"),
        )),
        Migration(7, _CONSULTATION_LOG_SUMMARY, (
            *_consultation_log("BIGINT"),
            *_pg_trigger("consultation_log_append_only", "consultation_log", "BEFORE UPDATE OR DELETE",
                         "RAISE EXCEPTION 'the consultation log is append-only';"),
            *_pg_trigger("consultation_log_continue_chain", "consultation_log", "BEFORE INSERT",
                         f"IF {_CONSULTATION_LOG_LINK} THEN RAISE EXCEPTION "
                         f"'a consultation log entry must continue the chain'; END IF; RETURN NEW;"),
        )),
        Migration(8, _CASE_KEYS_SUMMARY, _case_keys("BIGINT")),
        Migration(9, _CHECKPOINTS_SUMMARY, _checkpoints("BIGINT")),
    ]
