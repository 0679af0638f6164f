"""Erasure reaches the hub (issue #17), on SQLite and PostgreSQL, through the real sync path: a passport
read at a real lane (its reader on a pty) arrives sealed, with its case's key beside the batch; the board
finds the case by the document number (a blind index: the hub's tables hold no number, no name) and reads
the holder in the case; once the lane's erasure order has synced, the hub has destroyed its key, the search
finds nothing, the case says "erased", no query yields the name, and the lane's chain still verifies at the
hub. A key sent again for an erased case is not taken. The hub applies its own retention periods to its
copy of the keys, whatever the lane does: a case past its period goes, a held one and a seizure within its
period stay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

from common.erasure import RetentionPeriods
from common.eventlog.chain import verify_events
from sync.hub.keys import take_batch
from sync.hub.retention import apply_hub_retention
from sync.lane.agent import SyncAgent
from tests.support.custody_bench import ITEM, new_id
from tests.support.hub_rig import InProcessHub
from tests.support.passport_lane import (
    COURT,
    DE_VRIES,
    PERSONAL,
    erase,
    hold,
    passport_lane,
    read_passport,
    store_bytes,
)
from tests.support.technician_bench import Bench
from tests.support.waiting import wait_for

NUMBER = "543219876"


def board(hub: InProcessHub, path: str) -> Any:
    response = requests.get(f"{hub.url}/api/v1/hub{path}", timeout=10,
                            headers={"Authorization": f"Bearer {hub.user_token('vera')}", **COURT})
    assert response.status_code == 200, response.text
    return response.json()


def found(hub: InProcessHub, number: str = NUMBER) -> list[str]:
    return [case["id"] for case in board(hub, f"/search?q={number}")["cases"]]


def synced(hub: InProcessHub, lane: Bench) -> None:
    """Wait until the hub holds every event of the lane."""
    lane_id, last = lane.server.config.lane_id, lane.server.store.last_seq()
    wait_for(lambda: hub.store.cursor(lane_id) == last, timeout=15, message="the lane's events at the hub")


def personal_rows(hub: InProcessHub) -> list[Any]:
    """Every row of the hub's tables where a query could find HALLORAN's name or number."""
    with hub.store.read() as conn:
        return [row for sql in ("SELECT payload FROM events WHERE payload LIKE '%HALLORAN%'",
                                f"SELECT term FROM hub_case_terms WHERE term LIKE '%{NUMBER}%'",
                                "SELECT detail FROM alarms WHERE detail LIKE '%HALLORAN%'",
                                "SELECT data FROM hub_cases WHERE data LIKE '%HALLORAN%'")
                for row in conn.execute(sql).fetchall()]


@contextmanager
def linked_lane(hub: InProcessHub, root: Path) -> Iterator[tuple[Bench, SyncAgent]]:
    """A passport lane syncing to the hub through its real sync agent."""
    with passport_lane(root) as lane:
        lane_id = lane.server.config.lane_id
        agent = SyncAgent(lane.server.store, lane_id, hub.url, hub.store.add_lane(lane_id)).start()
        try:
            yield lane, agent
        finally:
            agent.stop()


def test_an_erasure_at_the_lane_erases_the_case_at_the_hub_and_the_chain_still_verifies(
        hub: InProcessHub, tmp_path: Path) -> None:
    with linked_lane(hub, tmp_path / "lane") as (lane, agent):
        lane_id = lane.server.config.lane_id
        case_id = read_passport(lane)
        synced(hub, lane)
        wait_for(lambda: found(hub) == [case_id], message="the case found by its document number")
        mrz = next(e for e in board(hub, f"/cases/{lane_id}/{case_id}")["timeline"]
                   if e["type"] == "reading.attached")["payload"]["reading"]["data"]["mrz"]
        assert (mrz["surname"], mrz["document_number"]) == ("HALLORAN", NUMBER)
        assert personal_rows(hub) == []  # sealed in the events, a blind index in the terms
        if hub.database is None:  # (not the number: the consultation log keeps what the board searched)
            assert not any(word in store_bytes(hub.store.path) for word in PERSONAL if word != NUMBER.encode())

        with hub.store.read() as conn:
            [(hub_key,)] = conn.execute("SELECT key FROM hub_case_keys WHERE lane = ?", (lane_id,)).fetchall()
        if hub.database is None:  # the hub's writer as SQLite ships it: deleting does not overwrite
            hub.store.write(lambda conn: conn.execute("PRAGMA secure_delete = OFF"))
        assert erase(lane, case_id).status_code == 201
        agent.wake()
        synced(hub, lane)
        wait_for(lambda: found(hub) == [], message="the search no longer finding the case")
        case = board(hub, f"/cases/{lane_id}/{case_id}")
        mrz = next(e for e in case["timeline"] if e["type"] == "reading.attached")["payload"]["reading"]["data"]["mrz"]
        assert mrz["surname"] is None and mrz["document_number"] is None and mrz["valid"] is True
        assert "erasure ordered by sue" in case["case"]["erasure"]["words"]
        with hub.store.read() as conn:
            assert conn.execute("SELECT count(*) FROM hub_case_keys WHERE lane = ?", (lane_id,)).fetchone()[0] == 0
        assert personal_rows(hub) == []
        if hub.database is None:
            assert not any(word in store_bytes(hub.store.path) for word in PERSONAL if word != NUMBER.encode())
            assert hub_key.encode() not in store_bytes(hub.store.path)  # not in a freed page, not in the WAL

        held = hub.store.events(lane_id, 0, 100_000)
        assert len(held) == lane.server.store.count() and verify_events(held).ok

        # the lane resending an old batch with the key cannot bring it back
        old_key = {"key_id": case_id, "key": "A" * 43 + "="}
        take_batch(hub.store, lane_id, [], [old_key])
        with hub.store.read() as conn:
            assert conn.execute("SELECT count(*) FROM hub_case_keys WHERE lane = ?", (lane_id,)).fetchone()[0] == 0


def test_the_hubs_own_retention_destroys_its_keys_of_cases_past_their_period_only(
        hub: InProcessHub, tmp_path: Path) -> None:
    with linked_lane(hub, tmp_path / "lane") as (lane, agent):
        lane_id = lane.server.config.lane_id
        referred = read_passport(lane)
        held = read_passport(lane, DE_VRIES)
        assert hold(lane, held).status_code == 201
        seized = read_passport(lane, outcome=None)
        assert lane.call("POST", "/seizures", user="olga", json={
            "id": new_id(), "inspection_id": seized, "legal_basis": "CEMA 1979 s.139",
            "items": [ITEM]}).status_code == 201
        lane.ok("POST", f"/inspections/{seized}/outcome", {"id": new_id(), "outcome": "seize"}, status=201,
                user="olga")
        agent.wake()
        synced(hub, lane)
        wait_for(lambda: sorted(found(hub)) == sorted([referred, seized]), message="both HALLORAN cases found")
        periods = RetentionPeriods({"referred_inspection": 90, "seizure": 3650})
        assert apply_hub_retention(hub.store, periods, lane.clock) == []  # day 0: nothing is due
        later = lambda: lane.clock() + timedelta(days=91)  # noqa: E731 - 91 days on
        assert apply_hub_retention(hub.store, periods, later) == [(lane_id, referred)]
        assert found(hub) == [seized] and found(hub, "NXC4R81P6") == [held]
        case = board(hub, f"/cases/{lane_id}/{referred}")
        assert case["case"]["erasure"]["why"] == "retention_ended"
        assert "retention period ended" in case["case"]["erasure"]["words"]
        mrz = next(e for e in case["timeline"] if e["type"] == "reading.attached")["payload"]["reading"]["data"]["mrz"]
        assert mrz["surname"] is None
        take_batch(hub.store, lane_id, [], [{"key_id": referred, "key": "A" * 43 + "="}])
        with hub.store.read() as conn:
            held_keys = {row[0] for row in conn.execute("SELECT key_id FROM hub_case_keys WHERE lane = ?", (lane_id,))}
        assert held_keys == {held, seized}
