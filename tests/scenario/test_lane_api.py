"""The HTTP API against a running lane: sign-in, roles, docs/contract.md's
error shape, and bad input that must never be stored nor yield a 500."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.lane_process import make_rig
from tests.support.waiting import wait_for


def error_of(response: requests.Response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


def event_count(lane) -> int:
    return lane.api("GET", "/lane", user="sue").json()["store"]["events"]


def started_inspection(lane) -> str:
    """An open inspection to attach readings to (attachments to unknown ones are refused)."""
    inspection_id = str(uuid.uuid4())
    response = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "AB12 CDE", "containers": [], "inspection_type": "standard"})
    assert response.status_code == 201, response.text
    return inspection_id


def test_healthz_and_metrics_need_no_token(lane):
    health = requests.get(f"{lane.url}/healthz", timeout=5)
    assert health.status_code == 200 and health.json() == {"status": "ok", "lane": "TEST-IN-01"}
    metrics = requests.get(f"{lane.url}/metrics", timeout=5).text
    for name in ("lanebox_device_readings_total", "lanebox_device_drops_total", "lanebox_device_reconnects_total",
                 "lanebox_live_clients", "lanebox_events_written_total", "lanebox_store_size_bytes"):
        assert name in metrics
    assert 'lanebox_device_readings_total{device="scale-1"}' in metrics


def test_sign_in_returns_token_and_role(lane):
    response = requests.post(f"{lane.url}/api/v1/session", json={"username": "tom", "password": "tom copper lantern"},
                             timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "technician" and body["token"]
    me = requests.get(f"{lane.url}/api/v1/session", headers={"Authorization": f"Bearer {body['token']}"}, timeout=5)
    assert me.json()["username"] == "tom"


def test_wrong_passwords_are_401_and_one_summary_event_not_one_each(tmp_path):
    rig = make_rig(tmp_path)
    try:
        rig.start()
        for _ in range(20):
            response = requests.post(f"{rig.url}/api/v1/session", json={"username": "vic", "password": "nope-nope"},
                                     timeout=5)
            assert response.status_code in (401, 429)
        assert response.status_code == 429 and error_of(response)["code"] == "too_many_attempts"
        listed = rig.api("GET", "/events?type=user.login_failures&limit=1000", user="sue",
                         headers={"X-Justification": "audit"}).json()["events"]
        assert listed == []  # tallied while the window is open
        assert rig.stop() == 0
        with rig.open_store() as store:
            [summary] = [e for e in store.page(limit=10_000) if e["type"] == "user.login_failures"]
    finally:
        rig.close()
    [pair] = summary["payload"]["pairs"]
    assert (pair["username"], pair["remote"], pair["count"]) == ("vic", "127.0.0.1", 20)
    assert "nope-nope" not in str(summary)


@pytest.mark.parametrize("path", ["/lane", "/devices", "/events", "/chain", "/users"])
def test_no_token_is_401(lane, path):
    response = requests.get(f"{lane.url}/api/v1{path}", timeout=5)
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"


@pytest.mark.parametrize("user,method,path,body", [
    ("vic", "POST", "/devices/scale-1/zero", None),
    ("vic", "POST", "/attachments", {"id": str(uuid.uuid4()), "device_id": "scale-1",
                                     "record_type": "inspection", "record_id": "I-1"}),
    ("olga", "POST", "/devices/scale-1/lock", {"reason": "suspected tampering"}),
    ("tom", "POST", "/devices/scale-1/lock", {"reason": "suspected tampering"}),
    ("olga", "GET", "/users", None),
    ("tom", "POST", "/users", {"username": "eve", "role": "supervisor", "password": "password-1"}),
])
def test_wrong_role_is_403_and_nothing_stored(lane, user, method, path, body):
    lane.token(user)  # signed in (an event) before counting
    before = event_count(lane)
    response = lane.api(method, path, user=user, json=body)
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert event_count(lane) == before


def test_zero_and_tare_a_scale(lane):
    sim = lane.sims["scale-1"]
    sim.set_load(0.0, settle=True)
    response = lane.api("POST", "/devices/scale-1/zero", user="olga")
    assert response.status_code == 200, response.text
    sim.set_load(1500.0, settle=True)
    response = lane.api("POST", "/devices/scale-1/tare", user="tom")
    assert response.status_code == 200, response.text
    wait_for(lambda: (lane.api("GET", "/devices/scale-1", user="vic").json()["last_reading"] or {})
             .get("data", {}).get("tare") == 1500.0, message="readings carry the tare")
    types = [e["type"] for e in lane.api("GET", "/events?type=device.zeroed&type=device.tared", user="vic",
                                         headers={"X-Justification": "audit"})
             .json()["events"]]
    assert types[-2:] == ["device.zeroed", "device.tared"]


def test_zero_on_a_reader_is_refused(lane):
    response = lane.api("POST", "/devices/barcode-1/zero", user="olga")
    assert response.status_code == 409 and error_of(response)["code"] == "not_a_scale"


def test_attach_a_stable_weight_as_evidence(lane):
    sim = lane.sims["scale-1"]
    inspection_id = started_inspection(lane)  # the lorry drives on after the inspection started
    sim.set_load(24680.0, settle=True)

    def weighed() -> bool:
        data = (lane.api("GET", "/devices/scale-1", user="vic").json()["last_reading"] or {}).get("data", {})
        return bool(data.get("stable")) and data.get("weight", 0) + (data.get("tare") or 0) == 24680.0  # gross

    wait_for(weighed, message="the lorry's stable weight")
    event_id = str(uuid.uuid4())
    body = {"id": event_id, "device_id": "scale-1", "record_type": "inspection", "record_id": inspection_id}
    first = lane.api("POST", "/attachments", user="olga", json=body)
    assert first.status_code == 201, first.text
    event = first.json()["event"]
    assert event["id"] == event_id and event["type"] == "reading.attached" and event["actor"] == "olga"
    payload = event["payload"]
    assert payload["inspection_id"] == inspection_id
    assert payload["reading"]["device_id"] == "scale-1" and payload["reading"]["data"]["stable"] is True
    assert payload["raw"]["text"].startswith("S S")
    assert payload["device"]["identity"]["serial"]
    assert "calibration" in payload and payload["calibration_due"] is False

    again = lane.api("POST", "/attachments", user="olga", json=body)
    assert again.status_code == 200 and again.json()["event"]["seq"] == event["seq"]
    other = lane.api("POST", "/attachments", user="olga", json={**body, "record_id": started_inspection(lane)})
    assert other.status_code == 409 and error_of(other)["code"] == "id_reused"


def test_a_moving_weight_cannot_be_attached(lane):
    lane.sims["scale-1"].drive_on(30000.0, seconds=30)
    wait_for(lambda: not (lane.api("GET", "/devices/scale-1", user="vic").json()["last_reading"] or {})
             .get("data", {}).get("stable", True), message="moving weight")
    response = lane.api("POST", "/attachments", user="olga",
                        json={"id": str(uuid.uuid4()), "device_id": "scale-1", "record_type": "inspection",
                              "record_id": started_inspection(lane)})
    assert response.status_code == 409 and error_of(response)["code"] == "not_stable"
    lane.sims["scale-1"].set_load(0.0, settle=True)


def test_a_locked_device_cannot_be_attached_until_unlocked(lane):
    lane.sims["trace-1"].swab([], sample_id="L-1")
    locked = lane.api("POST", "/devices/trace-1/lock", user="sue", json={"reason": "failed daily check"})
    assert locked.status_code == 200
    body = {"id": str(uuid.uuid4()), "device_id": "trace-1", "record_type": "inspection",
            "record_id": started_inspection(lane)}
    response = lane.api("POST", "/attachments", user="olga", json=body)
    assert response.status_code == 423 and error_of(response)["code"] == "device_locked"
    device = lane.api("GET", "/devices/trace-1", user="vic").json()
    assert device["state"] in ("locked", "disconnected") and device["locked"]["by"] == "sue"
    assert lane.api("POST", "/devices/trace-1/unlock", user="sue", json={"reason": "re-verified"}).status_code == 200
    lane.sims["trace-1"].swab([], sample_id="L-2")
    wait_for(lambda: lane.api("POST", "/attachments", user="olga", json=body).status_code == 201,
             message="attach after unlock")


BAD_BODIES = [
    ("malformed JSON", b'{"id": ', "application/json"),
    ("not an object", b'[1, 2, 3]', "application/json"),
    ("wrong type", b'{"id": 5, "device_id": "scale-1", "record_type": "inspection", "record_id": "X"}',
     "application/json"),
    ("missing field", b'{"device_id": "scale-1", "record_type": "inspection", "record_id": "X"}', "application/json"),
    ("unknown field", ('{"id": "%s", "device_id": "scale-1", "record_type": "inspection", "record_id": "X", '
                       '"admin": true}' % uuid.uuid4()).encode(), "application/json"),
    ("bad enum", ('{"id": "%s", "device_id": "scale-1", "record_type": "lunch", "record_id": "X"}'
                  % uuid.uuid4()).encode(), "application/json"),
    ("not JSON at all", b"device_id=scale-1", "application/x-www-form-urlencoded"),
    ("invalid UTF-8", b'{"id": "\xff\xfe"}', "application/json"),
    ("huge body", b'{"note": "' + b"x" * (2 << 20) + b'"}', "application/json"),
]


@pytest.mark.parametrize("label,data,content_type", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies_are_4xx_and_store_nothing(lane, label, data, content_type):
    token = lane.token("olga")
    before = event_count(lane)
    response = requests.post(f"{lane.url}/api/v1/attachments", data=data, timeout=15,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    assert 400 <= response.status_code < 500, (label, response.status_code, response.text[:200])
    error_of(response)
    assert event_count(lane) == before


@pytest.mark.parametrize("path", ["/events?limit=abc", "/events?after=-1", "/events?limit=100000",
                                  "/events?type=DROP%20TABLE", "/devices/nope", "/events/nope", "/nowhere"])
def test_bad_queries_and_unknown_things_are_4xx(lane, path):
    response = lane.api("GET", path, user="vic")
    assert 400 <= response.status_code < 500
    error_of(response)


def test_wrong_method_is_405_in_the_error_shape(lane):
    response = lane.api("PUT", "/devices", user="sue")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_events_page_and_verify(lane):
    page = lane.api("GET", "/events?limit=5", user="vic", headers={"X-Justification": "audit"}).json()
    assert [e["seq"] for e in page["events"]] == list(range(1, 6))
    following = lane.api("GET", f"/events?after={page['next_after']}&limit=5", user="vic",
                         headers={"X-Justification": "audit"}).json()
    assert following["events"][0]["seq"] == 6
    one = lane.api("GET", f"/events/{page['events'][0]['id']}", user="vic", headers={"X-Justification": "audit"}).json()
    assert one["seq"] == 1 and len(one["hash"]) == 64
    chain = lane.api("GET", "/chain", user="vic").json()
    assert chain["ok"] is True and chain["checked"] >= 6


def test_the_same_write_sent_many_times_at_once_is_stored_once(lane):
    """A tablet that gives up waiting and replays while the first request is
    still being written: every copy is answered, one event exists."""
    inspection_id = started_inspection(lane)
    lane.sims["trace-1"].swab([], sample_id="RACE-1")
    wait_for(lambda: (lane.api("GET", "/devices/trace-1", user="vic").json()["last_reading"] or {})
             .get("data", {}).get("sample_id") == "RACE-1", message="the swab result")
    token = lane.token("olga")
    body = {"id": str(uuid.uuid4()), "device_id": "trace-1", "record_type": "inspection",
            "record_id": inspection_id}
    before = event_count(lane)
    start = threading.Barrier(8)

    def send() -> int:
        start.wait()
        return requests.post(f"{lane.url}/api/v1/attachments", json=body, timeout=15,
                             headers={"Authorization": f"Bearer {token}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(lambda _: send(), range(8)))
    assert codes == [200] * 7 + [201]
    assert event_count(lane) == before + 1


def test_the_reading_the_officer_saw_is_the_one_recorded(lane):
    inspection_id = started_inspection(lane)
    trace = lane.sims["trace-1"]

    def last_trace() -> dict:
        return lane.api("GET", "/devices/trace-1", user="vic").json()["last_reading"] or {"data": {}}

    trace.swab([("RDX", 410.0)], sample_id="SEEN-1")
    seen = wait_for(lambda: (r := last_trace())["data"].get("sample_id") == "SEEN-1" and r, message="swab 1")
    trace.swab([], sample_id="LATER-2")
    wait_for(lambda: last_trace()["data"].get("sample_id") == "LATER-2", message="swab 2")
    response = lane.api("POST", "/attachments", user="olga", json={
        "id": str(uuid.uuid4()), "device_id": "trace-1", "record_type": "inspection",
        "record_id": inspection_id, "reading_seq": seen["seq"]})
    assert response.status_code == 201, response.text
    recorded = response.json()["event"]["payload"]["reading"]
    assert recorded["seq"] == seen["seq"] and recorded["data"]["sample_id"] == "SEEN-1"


def test_a_weight_that_changed_since_it_was_shown_is_refused(lane):
    inspection_id = started_inspection(lane)
    scale = lane.sims["scale-1"]

    def last_weight() -> dict:
        return lane.api("GET", "/devices/scale-1", user="vic").json()["last_reading"] or {"data": {}}

    before = last_weight()["data"].get("weight")  # (net of any tare an earlier test set)
    scale.set_load(18000.0, settle=True)
    shown = wait_for(lambda: (r := last_weight())["data"].get("stable") and r["data"]["weight"] != before and r,
                     message="a new stable weight")
    scale.set_load(18500.0, settle=True)
    wait_for(lambda: last_weight()["data"].get("weight") == shown["data"]["weight"] + 500, message="500 kg more")
    response = lane.api("POST", "/attachments", user="olga", json={
        "id": str(uuid.uuid4()), "device_id": "scale-1", "record_type": "inspection",
        "record_id": inspection_id, "reading_seq": shown["seq"]})
    assert response.status_code == 409 and error_of(response)["code"] == "reading_changed"
    scale.set_load(0.0, settle=True)
