"""The hub's consultation log (issue #17), on SQLite and PostgreSQL: a board
search by passport number and a case opened each leave a hash-chained entry
with who, what, the query and why; without a reason nothing is served and
nothing is logged; a supervisor reviews the board's log and a lane's synced
consultations, a viewer may not; an edited row breaks the chain's check."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import requests

from common.eventlog.store import EventStore
from sync.lane.agent import SyncAgent
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.waiting import wait_for
from tests.unit.sync.hub.test_board_api import PASSPORT, record_a_case


def call(hub: InProcessHub, path: str, token: str, why: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", **({"X-Justification": why} if why else {})}
    return requests.get(f"{hub.url}/api/v1{path}", headers=headers, timeout=10)


def entries(hub: InProcessHub) -> list[dict[str, Any]]:
    with hub.store.read() as conn:
        return [dict(zip(("seq", "actor", "what", "records", "detail"), row)) for row in conn.execute(
            "SELECT seq, actor, what, records, detail FROM consultation_log ORDER BY seq").fetchall()]


@pytest.fixture
def synced(hub: InProcessHub, lane_store: EventStore) -> dict[str, str]:
    ids = record_a_case(lane_store)
    lane_store.append("access.consulted", {"role": "officer", "action": "view", "what": "document",
                                           "route": "GET /api/v1/inspections/x", "records": [ids["inspection"]],
                                           "fields": ["document_number"], "address": "10.0.0.9",
                                           "justification": {"code": "this_inspection", "words": "This inspection",
                                                             "text": None, "implicit": True}}, "olga")
    agent = SyncAgent(lane_store, LANE, hub.url, hub.store.add_lane(LANE)).start()
    try:
        wait_for(lambda: hub.store.cursor(LANE) == lane_store.last_seq(), timeout=10, message="the lane's log")
    finally:
        agent.stop()
    token = hub.user_token()
    wait_for(lambda: call(hub, f"/hub/cases/{LANE}/{ids['inspection']}", token, "audit").ok, timeout=10,
             message="the projector to catch up")
    return ids


def test_a_search_by_passport_number_and_a_case_opened_are_logged_with_their_reason(hub, synced):
    token = hub.user_token("carol")
    before = len(entries(hub))
    found = call(hub, f"/hub/search?q={PASSPORT}", token, "court_request: Crown Court T2026%2F4")
    assert found.status_code == 200 and found.json()["cases"]
    case = call(hub, f"/hub/cases/{LANE}/{synced['seizure']}", token, "case_follow_up")
    assert case.status_code == 200
    review = call(hub, "/hub/consultations?limit=2", token).json()["entries"]
    assert [(e["user"], e["what"]) for e in review] == [("carol", "case"), ("carol", "search")]
    searched = review[1]
    assert searched["query"] == {"q": PASSPORT}
    assert searched["justification"] == {"code": "court_request", "words": "Court request",
                                         "text": "Crown Court T2026/4", "implicit": False}
    assert f"{LANE}/{synced['inspection']}" in searched["records"] and searched["address"] == "127.0.0.1"
    assert searched["role"] == "supervisor" and searched["at"] and searched["hash"]
    assert review[0]["records"] == [f"{LANE}/{synced['seizure']}"]
    logged = entries(hub)
    assert len(logged) == before + 3  # the search, the case, and the review itself
    assert logged[-1]["what"] == "consultation_log" and '"code": "audit"' in logged[-1]["detail"]


def test_without_a_reason_nothing_is_found_shown_or_logged(hub, synced):
    token = hub.user_token("vera")
    before = entries(hub)
    for path in (f"/hub/search?q={PASSPORT}", f"/hub/search.csv?q={PASSPORT}",
                 f"/hub/cases/{LANE}/{synced['seizure']}"):
        refused = call(hub, path, token)
        assert refused.status_code == 428, path
        assert refused.json()["error"]["code"] == "justification_required" and PASSPORT not in refused.text
    assert entries(hub) == before


def test_a_supervisor_reviews_the_board_and_a_lane_a_viewer_may_not(hub, synced):
    viewer, supervisor = hub.user_token("vera"), hub.user_token("carol")
    call(hub, f"/hub/search?q={PASSPORT}", viewer, "audit")
    assert call(hub, "/hub/consultations", viewer).status_code == 403
    assert call(hub, "/hub/consultations/chain", viewer).status_code == 403
    mine = call(hub, "/hub/consultations?user=vera", supervisor).json()["entries"]
    assert [(e["user"], e["what"], e["justification"]["code"]) for e in mine] == [("vera", "search", "audit")]
    at_lane = call(hub, f"/hub/consultations?lane={LANE}", supervisor).json()["entries"]
    assert [(e["user"], e["records"], e["justification"]["code"]) for e in at_lane] == [
        ("olga", [synced["inspection"]], "this_inspection")]
    assert call(hub, "/hub/consultations?lane=no%20such", supervisor).status_code == 400
    assert call(hub, "/hub/consultations/chain", supervisor).json() == {
        "ok": True, "checked": len(entries(hub)), "first_broken_seq": None}


def test_the_database_refuses_an_edit_a_delete_or_a_forged_link(hub, synced):
    assert entries(hub)
    for sql in ("UPDATE consultation_log SET actor = 'mallory'", "DELETE FROM consultation_log",
                "INSERT INTO consultation_log (seq, at, actor, role, action, what, records, detail, prev_hash, "
                "hash) VALUES (999, 'x', 'mallory', 'viewer', 'view', 'case', '[]', '{}', 'ab', 'cd')"):
        with pytest.raises(Exception, match="consultation log"):
            hub.store.write(lambda conn, sql=sql: conn.execute(sql))


@pytest.mark.parametrize("hub_database", ["sqlite"], indirect=True)
def test_a_row_edited_in_the_file_breaks_the_chains_check(hub, synced):
    supervisor = hub.user_token("carol")
    call(hub, f"/hub/search?q={PASSPORT}", supervisor, "audit")
    [_first, second, *_] = entries(hub)
    conn = sqlite3.connect(hub.store.path)
    conn.execute("DROP TRIGGER consultation_log_no_update")  # what someone with the file in hand can do
    conn.execute("UPDATE consultation_log SET actor = 'nobody' WHERE seq = ?", (second["seq"],))
    conn.commit()
    conn.close()
    assert hub.hub.consultations.verify() == {"ok": False, "checked": second["seq"] - 1,
                                              "first_broken_seq": second["seq"]}
    assert call(hub, "/hub/consultations/chain", supervisor).json()["first_broken_seq"] == second["seq"]
