"""The lane store's schema history: the event log, then what the lane added.

:func:`edge.store.open_lane_store` opens every lane store with this list, so
a store written by an older lanebox is upgraded in place when the lane
starts (all steps in one transaction; its events and chain are never
touched), and a store of a newer lanebox is refused. Append, never edit:
a released migration stays as it is.
"""

from __future__ import annotations

from common.eventlog.case_keys import CREATE_TABLE as CASE_KEYS
from common.eventlog.chain import GENESIS_HASH
from common.eventlog.migrations import Guard, Migration
from common.eventlog.store import EVENT_LOG

CHAIN_CONTINUES = Guard(
    "events_continue_chain",
    f"CREATE TRIGGER IF NOT EXISTS events_continue_chain BEFORE INSERT ON events "
    f"WHEN NOT (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS_HASH}' OR EXISTS ("
    f"SELECT 1 FROM events WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash)) "
    f"BEGIN SELECT RAISE(ABORT, 'an event must continue the chain'); END")
"""The database itself refuses an event that is not the next link of the
chain (seq 1 on the genesis hash, or seq n on the stored hash of n-1): no
code path, no second process and no SQL typed at the file can fork the
chain or leave a gap, as the hub's store has refused since its schema 3."""

LANE_MIGRATIONS: tuple[Migration, ...] = (
    EVENT_LOG,
    Migration(2, "the database refuses an event that does not continue the chain",
              guards=(CHAIN_CONTINUES,)),
    Migration(3, "the key table: one key per case, outside the log, destroyed when the case is erased",
              (CASE_KEYS,)),
)
