"""The hub's board API: hub users and roles, alarms acknowledged with who and
when, search and case views built from synced events, metrics, CSV, the
OpenAPI document, and the /board Socket.IO feed — over real HTTP and a real
Socket.IO client."""

from __future__ import annotations

import csv
import io
import queue
from typing import Any

import pytest
import requests
import socketio

from common.eventlog.store import EventStore
from sync.hub.users import HubUsers
from sync.lane.agent import SyncAgent
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.waiting import wait_for

CONTAINER = "MSKU1234565"
PASSPORT = "L898902C3"


def api(hub: InProcessHub, path: str, token: str | None, method: str = "GET",
        **kwargs: Any) -> requests.Response:
    """A board user's request, with the reason the board gives a search or a case opened."""
    headers = {"Authorization": f"Bearer {token}", "X-Justification": "case_follow_up"} if token else {}
    return requests.request(method, f"{hub.url}/api/v1{path}", headers=headers, timeout=10,
                            **kwargs)


def record_a_case(store: EventStore) -> dict[str, str]:
    """What an officer's day at the lane leaves in the log: an inspection with
    a watchlisted container, a passport read, a trace alarm, a seizure, a bag
    sealed and handed over, duty assessed, the inspection closed."""
    inspection, seizure, bag = "11111111-2222-4333-8444-555555555555", "seiz-1", "BAG-ABCD1234"
    store.append("inspection.started", {
        "inspection_id": inspection, "plate": "AB12CDE", "containers": [CONTAINER],
        "declaration_ref": "DEC-1", "watchlist_hits": [
            {"type": "container", "value": CONTAINER, "reason": "intel", "severity": "high"}]},
        "olga", ts="2026-03-02T10:00:00.000Z")
    store.append("reading.attached", {
        "inspection_id": inspection, "device": {"id": "document-1"},
        "reading": {"kind": "document", "data": {"mrz": {"document_number": PASSPORT}}},
        "assessment": {"flags": []}}, "olga", ts="2026-03-02T10:05:00.000Z")
    store.append("reading.attached", {
        "inspection_id": inspection, "device": {"id": "trace-1"},
        "reading": {"kind": "trace", "data": {"result": "alarm"}},
        "assessment": {"flags": [{"code": "trace_alarm", "message": "trace detector alarm: TNT"}]}},
        "olga", ts="2026-03-02T10:10:00.000Z")
    store.append("seizure.created", {"seizure_id": seizure, "inspection_id": inspection,
                                     "legal_basis": "CEMA s.139", "items": []}, "olga",
                 ts="2026-03-02T10:20:00.000Z")
    store.append("seizure.bag_added", {"seizure_id": seizure, "bag_id": bag,
                                       "description": "swabs"}, "olga", ts="2026-03-02T10:21:00.000Z")
    for minute, action in ((22, "sealed"), (40, "handed_over")):
        store.append("seizure.custody", {"seizure_id": seizure, "bag_id": bag, "action": action,
                                         "to": "Border Force store", "confirmation": "scanned"},
                     "olga", ts=f"2026-03-02T10:{minute}:00.000Z")
    store.append("inspection.duty_assessed", {"inspection_id": inspection, "assessment": {
        "local_currency": "GBP", "total": "120.50"}}, "olga", ts="2026-03-02T10:45:00.000Z")
    store.append("inspection.closed", {"inspection_id": inspection, "outcome": "seize"}, "olga",
                 ts="2026-03-02T11:00:00.000Z")
    return {"inspection": inspection, "seizure": seizure, "bag": bag}


@pytest.fixture
def synced(hub: InProcessHub, lane_store: EventStore) -> dict[str, str]:
    ids = record_a_case(lane_store)
    agent = SyncAgent(lane_store, LANE, hub.url, hub.store.add_lane(LANE)).start()
    try:
        wait_for(lambda: hub.store.cursor(LANE) == lane_store.last_seq(), timeout=10,
                 message="the lane's log at the hub")
    finally:
        agent.stop()
    wait_for(lambda: api(hub, f"/hub/cases/{LANE}/{ids['seizure']}", hub.user_token()).ok,
             timeout=10, message="the projector to catch up")
    return ids


def test_every_board_route_needs_a_hub_user_and_ack_needs_a_supervisor(hub: InProcessHub):
    for path in ("/hub/lanes", "/hub/alarms", "/hub/search?q=X", "/hub/metrics", "/session"):
        assert api(hub, path, None).status_code == 401, path
        assert api(hub, path, "not-a-token").status_code == 401, path
    viewer = hub.user_token("vera")
    assert api(hub, "/hub/lanes", viewer).status_code == 200
    refused = api(hub, "/hub/alarms/1/ack", viewer, "POST", json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert api(hub, "/hub/alarms/999/ack", hub.user_token(), "POST", json={}).status_code == 404
    wrong = api(hub, "/session", None, "POST", json={"username": "carol", "password": "nope-nope"})
    assert wrong.status_code == 401
    assert requests.get(f"{hub.url}/healthz", timeout=5).json()["status"] == "ok"
    assert "lanebox_hub_lanes" in requests.get(f"{hub.url}/metrics", timeout=5).text


def test_an_officer_on_the_roster_cannot_sign_in_to_the_board(hub: InProcessHub):
    HubUsers(hub.store).add("olga", "officer", "olga amber kettle")
    response = api(hub, "/session", None, "POST", json={"username": "olga",
                                                        "password": "olga amber kettle"})
    assert response.status_code == 401


def test_openapi_documents_the_hub_routes_with_their_roles(hub: InProcessHub):
    document = requests.get(f"{hub.url}/api/v1/openapi.json", timeout=5).json()
    paths = document["paths"]
    assert {"/api/v1/hub/lanes", "/api/v1/hub/alarms", "/api/v1/hub/search",
            "/api/v1/hub/cases/{lane}/{case_id}", "/api/v1/session"} <= set(paths)
    assert paths["/api/v1/hub/alarms/{alarm_id}/ack"]["post"]["x-roles"] == ["supervisor"]
    assert paths["/api/v1/hub/lanes"]["get"]["security"] == [{"bearer": []}]


def test_alarms_from_synced_events_are_acknowledged_with_who_and_when(hub, synced):
    token = hub.user_token()
    alarms = api(hub, "/hub/alarms?open=1", token).json()["alarms"]
    kinds = sorted(a["kind"] for a in alarms)
    assert kinds == ["trace_alarm", "watchlist_hit"]
    trace = next(a for a in alarms if a["kind"] == "trace_alarm")
    assert trace["lane"] == LANE and trace["detail"]["case_id"] == synced["inspection"]
    acked = api(hub, f"/hub/alarms/{trace['id']}/ack", token, "POST", json={}).json()
    assert acked["changed"] is True
    assert acked["alarm"]["acknowledged_by"] == "carol" and acked["alarm"]["acknowledged_at"]
    again = api(hub, f"/hub/alarms/{trace['id']}/ack", token, "POST", json={}).json()
    assert again["changed"] is False and again["alarm"]["acknowledged_at"] == \
        acked["alarm"]["acknowledged_at"]
    assert [a["kind"] for a in api(hub, "/hub/alarms?open=1", token).json()["alarms"]] == \
        ["watchlist_hit"]


@pytest.mark.parametrize("query", [f"q={CONTAINER}", "q=msku 1234", f"q={PASSPORT}",
                                   "q=BAG-ABCD1234", "q=ab12cde"])
def test_search_finds_the_case_by_what_an_investigator_knows(hub, synced, query):
    cases = api(hub, f"/hub/search?{query}", hub.user_token()).json()["cases"]
    assert synced["inspection"] in {c["id"] for c in cases} or synced["seizure"] in \
        {c["id"] for c in cases}


def test_search_filters_by_lane_kind_and_date_and_refuses_nonsense(hub, synced):
    token = hub.user_token()
    assert len(api(hub, f"/hub/search?lane={LANE}", token).json()["cases"]) == 2
    only = api(hub, f"/hub/search?lane={LANE}&kind=seizure", token).json()["cases"]
    assert [c["id"] for c in only] == [synced["seizure"]]
    assert api(hub, "/hub/search?from=2026-03-02&to=2026-03-02", token).json()["cases"]
    assert api(hub, "/hub/search?from=2026-03-03", token).json()["cases"] == []
    assert api(hub, "/hub/search?lane=NOWHERE", token).json()["cases"] == []
    for bad in ("from=yesterday", "kind=car", "limit=0", "q=" + "x" * 65):
        response = api(hub, f"/hub/search?{bad}", token)
        assert response.status_code == 400, bad


def test_the_case_view_tells_the_custody_and_csv_exports_the_search(hub, synced):
    token = hub.user_token()
    view = api(hub, f"/hub/cases/{LANE}/{synced['inspection']}", token).json()
    assert view["case"]["status"] == "closed" and view["case"]["outcome"] == "seize"
    assert view["seizures"] == [synced["seizure"]]
    assert [step["action"] for step in view["custody"][synced["bag"]]] == ["sealed", "handed_over"]
    assert [e["type"] for e in view["timeline"]][0] == "inspection.started"
    assert all(len(e["hash"]) == 64 for e in view["timeline"])
    assert api(hub, f"/hub/cases/{LANE}/nope", token).status_code == 404
    exported = api(hub, f"/hub/search.csv?q={CONTAINER}", token)
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    inspection = next(r for r in rows if r["kind"] == "inspection")
    assert inspection["containers"] == CONTAINER and inspection["documents"] == PASSPORT


def test_metrics_count_the_day(hub, synced):
    figures = api(hub, "/hub/metrics?hours=168", hub.user_token()).json()
    assert figures["hours"] == 168 and len(figures["per_hour"]) == 168
    # the fixture's events are dated 2026-03-02; only those inside the window count
    assert figures["inspections"] in (0, 1)
    assert api(hub, "/hub/metrics?hours=0", hub.user_token()).status_code == 400


def test_the_board_feed_refuses_strangers_and_pushes_status_and_alarms(hub: InProcessHub):
    lane_token = hub.store.add_lane(LANE)
    stranger = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(hub.url, namespaces=["/board"], auth={"token": "nope"},
                         transports=["websocket"], wait_timeout=5)
    heard: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
    board = socketio.Client(reconnection=False)
    board.on("lane", lambda data: heard.put(("lane", data)), namespace="/board")
    board.on("alarm", lambda data: heard.put(("alarm", data)), namespace="/board")
    board.connect(hub.url, namespaces=["/board"], auth={"token": hub.user_token("vera")},
                  transports=["websocket"], wait_timeout=5)
    try:
        status = {"lane": LANE, "ts": "2026-03-02T10:00:00.000Z", "devices": [
            {"id": "trace-1", "kind": "trace", "state": "connected", "detail": ""}],
            "alarms": [{"kind": "trace_alarm", "device_id": "trace-1", "ts": "2026-03-02T10:00:00.000Z",
                        "sample_id": "S-1", "substances": [{"name": "TNT"}]}]}
        for _ in range(2):  # a repeated report raises no second alarm
            response = requests.post(f"{hub.url}/api/v1/sync/{LANE}/status", json=status,
                                     headers={"Authorization": f"Bearer {lane_token}"}, timeout=5)
            assert response.status_code == 200
        got = [heard.get(timeout=5) for _ in range(3)]
        assert [kind for kind, _ in got] == ["alarm", "lane", "lane"]
        assert got[0][1]["kind"] == "trace_alarm" and got[0][1]["detail"]["sample_id"] == "S-1"
        assert got[1][1]["lane"] == LANE and got[1][1]["online"] is True
        assert heard.empty()
    finally:
        board.disconnect()
