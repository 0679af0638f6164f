"""The alarm model at the hub, on both engines: severities per kind, a
lifecycle of separate steps (acknowledge with a note, assign, clear) by
different supervisors, per-lane acknowledge-all, shelving a source for a
time with a reason — every step an entry of the hub's hash-chained alarm
log, shown by the case view and found by the alarm-log search with who and
when; refused steps store nothing."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from common.config import ConfigError
from common.eventlog.chain import GENESIS_HASH
from sync.hub.alarms import AlarmBook, AlarmSettings, raise_alarm
from sync.hub.config import parse_hub_config
from tests.support.hub_rig import LANE, InProcessHub
from tests.unit.sync.hub.test_board_api import api

OTHER = "TEST-IN-02"


def raise_some(hub: InProcessHub, *kinds: tuple[str, str, str | None]) -> list[dict[str, Any]]:
    """Raise ``(lane, kind, case_id)`` alarms as the projector would."""
    def write(conn: Any) -> list[dict[str, Any]]:
        return [raise_alarm(conn, lane, kind, n + 1, {"message": f"{kind} {n}", "case_id": case},
                            f"2026-03-02T10:{n:02d}:00.000Z", f"seq:{n + 1}:{kind}")
                for n, (lane, kind, case) in enumerate(kinds)]
    return hub.store.write(write)


def log_size(hub: InProcessHub) -> int:
    with hub.store.read() as conn:
        return conn.execute("SELECT count(*) FROM alarm_log").fetchone()[0]


@pytest.fixture
def lanes(hub: InProcessHub) -> InProcessHub:
    for lane in (LANE, OTHER):
        hub.store.add_lane(lane)
    hub.hub.users.add("sam", "supervisor", "sam quartz lantern")
    return hub


def token_of(hub: InProcessHub, username: str) -> str:
    if username == "sam":
        response = requests.post(f"{hub.url}/api/v1/session", timeout=5,
                                 json={"username": "sam", "password": "sam quartz lantern"})
        return response.json()["token"]
    return hub.user_token(username)


def test_acknowledge_and_clear_are_separate_steps_by_different_supervisors(lanes: InProcessHub):
    hub = lanes
    trace, = raise_some(hub, (LANE, "trace_alarm", "insp-1"))
    carol, sam = token_of(hub, "carol"), token_of(hub, "sam")
    listed = api(hub, "/hub/alarms?state=active", carol).json()["alarms"]
    assert [(a["kind"], a["severity"], a["state"]) for a in listed] == [("trace_alarm", "critical", "unacknowledged")]

    early = api(hub, f"/hub/alarms/{trace['id']}/clear", sam, "POST", json={"note": "gone"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_acknowledged"
    assert log_size(hub) == 0  # a refused step stores nothing

    acked = api(hub, f"/hub/alarms/{trace['id']}/ack", carol, "POST", json={"note": "officer sent"}).json()
    assert acked["alarm"]["state"] == "acknowledged" and acked["alarm"]["note"] == "officer sent"
    assigned = api(hub, f"/hub/alarms/{trace['id']}/assign", carol, "POST", json={"assignee": "sam"}).json()
    assert assigned["alarm"]["assignee"] == "sam"
    cleared = api(hub, f"/hub/alarms/{trace['id']}/clear", sam, "POST", json={"note": "false positive"}).json()
    alarm = cleared["alarm"]
    assert (alarm["state"], alarm["cleared_by"], alarm["acknowledged_by"]) == ("cleared", "sam", "carol")
    assert [(e["action"], e["actor"]) for e in alarm["history"]] == [
        ("acknowledged", "carol"), ("assigned", "carol"), ("cleared", "sam")]
    assert all(e["at"] and e["hash"] for e in alarm["history"])
    again = api(hub, f"/hub/alarms/{trace['id']}/clear", sam, "POST", json={})
    assert again.status_code == 200 and again.json()["changed"] is False
    assert api(hub, f"/hub/alarms/{trace['id']}/assign", carol, "POST",
               json={"assignee": "carol"}).status_code == 409
    assert api(hub, "/hub/alarms?state=active", carol).json()["alarms"] == []
    assert log_size(hub) == 3
    assert hub.hub.alarms.verify_log() == {"ok": True, "checked": 3, "first_broken_seq": None}


def test_every_step_is_in_the_case_view_and_found_by_the_alarm_log_search(lanes: InProcessHub):
    hub = lanes
    hub.store.write(lambda conn: conn.execute(
        "INSERT INTO hub_cases (lane, id, kind, status, started_at, updated_at, data) VALUES "
        "(?, 'insp-7', 'inspection', 'open', '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '{}')",
        (LANE,)))
    weight, _ = raise_some(hub, (LANE, "weight_discrepancy", "insp-7"), (LANE, "trace_alarm", "insp-8"))
    carol, sam = token_of(hub, "carol"), token_of(hub, "sam")
    api(hub, f"/hub/alarms/{weight['id']}/ack", carol, "POST", json={"note": "reweigh"})
    api(hub, f"/hub/alarms/{weight['id']}/clear", sam, "POST", json={"note": "reweighed: fine"})

    case = api(hub, f"/hub/cases/{LANE}/insp-7", carol).json()
    [alarm] = case["alarms"]
    assert alarm["kind"] == "weight_discrepancy" and alarm["state"] == "cleared"
    assert [(e["action"], e["actor"], e["detail"]["note"]) for e in alarm["history"]] == [
        ("acknowledged", "carol", "reweigh"), ("cleared", "sam", "reweighed: fine")]

    by_case = api(hub, "/hub/alarm-log?q=insp-7", carol).json()["entries"]
    assert [(e["action"], e["actor"], e["case_id"]) for e in by_case] == [
        ("cleared", "sam", "insp-7"), ("acknowledged", "carol", "insp-7")]
    by_who = api(hub, "/hub/alarm-log?q=SAM", carol).json()["entries"]
    assert [e["action"] for e in by_who] == ["cleared"]
    assert api(hub, f"/hub/alarm-log?lane={OTHER}", carol).json()["entries"] == []
    assert api(hub, "/hub/alarm-log?from=nope", carol).status_code == 400


def test_a_lane_is_acknowledged_at_once_and_only_that_lane(lanes: InProcessHub):
    hub = lanes
    raise_some(hub, *[(LANE, "trace_alarm", None)] * 3, (OTHER, "weight_discrepancy", None))
    carol = token_of(hub, "carol")
    done = api(hub, f"/hub/alarms/lane/{LANE}/ack", carol, "POST", json={"note": "on it"}).json()
    assert len(done["alarms"]) == 3 and {a["note"] for a in done["alarms"]} == {"on it"}
    open_now = api(hub, "/hub/alarms?state=unacknowledged", carol).json()["alarms"]
    assert [a["lane"] for a in open_now] == [OTHER]
    assert api(hub, "/hub/alarms/lane/NOPE/ack", carol, "POST", json={}).status_code == 404
    assert api(hub, "/hub/alarms/lane/NOPE/ack", token_of(hub, "vera"), "POST", json={}).status_code == 403


def test_a_shelved_source_is_hidden_until_its_time_runs_out(lanes: InProcessHub):
    hub = lanes
    now = [1_800_000_000.0]
    book = AlarmBook(hub.store, clock=lambda: now[0])
    raise_some(hub, (LANE, "trace_alarm", None), (LANE, "weight_discrepancy", None))
    shelf = book.shelve(LANE, "trace_alarm", 30, "detector being serviced", "carol")
    assert shelf["until"] and shelf["reason"] == "detector being serviced"
    shelved = {a["kind"]: a["shelved_until"] for a in book.list(lane=LANE)}
    assert shelved == {"trace_alarm": shelf["until"], "weight_discrepancy": None}
    now[0] += 29 * 60
    assert [s["kind"] for s in book.shelves()] == ["trace_alarm"]
    now[0] += 2 * 60
    assert book.shelves() == [] and all(a["shelved_until"] is None for a in book.list(lane=LANE))

    again = book.shelve(LANE, "trace_alarm", 10, "noisy again", "carol")
    book.unshelve(again["id"], "sam")
    assert book.shelves() == []
    entries = book.log(lane=LANE)
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("unshelved", "sam"), ("shelved", "carol"), ("shelved", "carol")]


def test_shelving_refuses_what_it_cannot_honour_and_stores_nothing(lanes: InProcessHub):
    hub = lanes
    carol = token_of(hub, "carol")
    body = {"lane": LANE, "kind": "trace_alarm", "minutes": 30, "reason": "serviced"}
    for change, status in (({"kind": "radio"}, 400), ({"minutes": 0}, 400), ({"minutes": 1441}, 400),
                           ({"reason": ""}, 400), ({"lane": "NOPE"}, 404), ({"kind": "rpm_alarm"}, 409)):
        assert api(hub, "/hub/shelves", carol, "POST", json={**body, **change}).status_code == status, change
    assert api(hub, "/hub/shelves", token_of(hub, "vera"), "POST", json=body).status_code == 403
    assert api(hub, "/hub/shelves/1/unshelve", carol, "POST").status_code == 404
    assert log_size(hub) == 0
    made = api(hub, "/hub/shelves", carol, "POST", json=body)
    assert made.status_code == 201
    assert [s["kind"] for s in api(hub, "/hub/shelves", carol).json()["shelves"]] == ["trace_alarm"]


def test_assigning_to_nobody_known_is_refused_and_stores_nothing(lanes: InProcessHub):
    hub = lanes
    alarm, = raise_some(hub, (LANE, "invalid_document", None))
    carol = token_of(hub, "carol")
    refused = api(hub, f"/hub/alarms/{alarm['id']}/assign", carol, "POST", json={"assignee": "ghost"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "assignee"
    assert api(hub, "/hub/alarms?state=sideways", carol).status_code == 400
    assert log_size(hub) == 0


def test_severities_are_set_per_kind_and_configurable(lanes: InProcessHub):
    hub = lanes
    raise_some(hub, (LANE, "weight_discrepancy", None), (LANE, "invalid_document", None))
    settings = api(hub, "/hub/alarm-settings", token_of(hub, "vera")).json()
    assert settings["severity"]["trace_alarm"] == "critical"
    assert settings["severity"]["weight_discrepancy"] == "major"
    assert settings["severity"]["calibration_due"] == "warning"
    assert settings["severity"]["lane_chain_broken"] == "critical"
    configured = AlarmBook(hub.store, settings=AlarmSettings(
        severity={**settings["severity"], "weight_discrepancy": "critical"}))
    assert {a["kind"]: a["severity"] for a in configured.list()} == {
        "weight_discrepancy": "critical", "invalid_document": "minor"}


def test_the_alarm_log_cannot_be_changed_deleted_or_forked(lanes: InProcessHub):
    hub = lanes
    alarm, = raise_some(hub, (LANE, "trace_alarm", None))
    hub.hub.alarms.acknowledge(alarm["id"], "carol", "seen")
    for sql in ("UPDATE alarm_log SET actor = 'mallory'", "DELETE FROM alarm_log",
                f"INSERT INTO alarm_log (seq, lane, action, actor, at, detail, prev_hash, hash) "
                f"VALUES (2, '{LANE}', 'cleared', 'mallory', 'x', '{{}}', '{GENESIS_HASH}', 'h')"):
        with pytest.raises(Exception):
            hub.store.write(lambda conn, sql=sql: conn.execute(sql))
    [entry] = hub.hub.alarms.log()
    assert entry["actor"] == "carol" and hub.hub.alarms.verify_log()["ok"]


@pytest.mark.parametrize(("alarms", "problem"), [
    ({"severity": {"radiation": "critical"}}, "alarms.severity.radiation: not an alarm kind"),
    ({"severity": {"trace_alarm": "loud"}}, "alarms.severity.trace_alarm: must be one of critical, major"),
    ({"inspection_warn_min": 0}, "alarms.inspection_warn_min: must be 1 to 1440 minutes"),
    ({"sound": True}, "alarms.sound: unknown key"),
])
def test_the_hub_config_names_the_alarm_setting_it_refuses(alarms: dict[str, Any], problem: str):
    with pytest.raises(ConfigError, match=problem):
        parse_hub_config({"hub": {"id": "HUB", "data_dir": "x"}, "alarms": alarms})


def test_the_hub_config_sets_severities_and_the_inspection_threshold():
    config = parse_hub_config({"hub": {"id": "HUB", "data_dir": "x"}, "alarms": {
        "inspection_warn_min": 30, "severity": {"weight_discrepancy": "critical"}}})
    assert config.alarms.of("weight_discrepancy") == "critical" and config.alarms.of("trace_alarm") == "critical"
    assert config.alarms.inspection_warn_min == 30
    assert parse_hub_config({"hub": {"id": "HUB", "data_dir": "x"}}).alarms == AlarmSettings()
