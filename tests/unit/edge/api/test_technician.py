"""Technician routes: only technicians and supervisors; devices added,
changed and removed at run time (events, kept across a restart); "test
connection"; a raw command; a driver restart."""

from __future__ import annotations

from typing import Iterator

import pytest

from common.web.openapi import openapi_path
from edge.api import calibration, technician
from tests.support.technician_bench import Bench, close_bench, make_bench
from tests.support.waiting import wait_for

BARCODE = {"id": "barcode-1", "kind": "barcode", "driver": "aim-barcode", "baudrate": 9600}


@pytest.fixture
def bench(tmp_path) -> Iterator[Bench]:
    bench = make_bench(tmp_path)
    try:
        yield bench.start()
    finally:
        close_bench(bench)


def technician_routes(bench: Bench) -> list[tuple[str, str]]:
    """Every route of the technician and calibration blueprints, with sample path values."""
    routes = []
    for rule in bench.server.app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in (technician.bp.name, calibration.bp.name):
            path = openapi_path(rule.rule).replace("{device_id}", "scale-1").replace("{session_id}", "x") \
                .replace("{event_id}", "x").removeprefix("/api/v1")
            routes += [(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}]
    return routes


def test_only_technicians_and_supervisors_reach_the_technician_routes(bench: Bench) -> None:
    routes = technician_routes(bench)
    assert len(routes) >= 15
    events = bench.server.store.count()
    for method, path in routes:
        for user in ("olga", "vic"):
            response = bench.call(method, path, user=user, json={})
            assert response.status_code == 403, (method, path, user)
            assert response.get_json()["error"]["code"] == "forbidden"
        assert bench.client.open(f"/api/v1{path}", method=method).status_code == 401
    assert bench.server.store.count() == events  # nothing written by a refusal
    assert bench.call("GET", "/ports", user="sue").status_code == 200
    assert bench.call("GET", "/ports", user="tom").status_code == 200


def test_port_list_and_drivers(bench: Bench) -> None:
    listed = {p["open_with"]: p for p in bench.ok("GET", "/ports")["ports"]}
    scale = listed[bench.ports["scale-1"].path]  # its stable by-id name, even for a pty pyserial's scan misses
    assert scale["by_id"] == scale["open_with"] and scale["device"].startswith("/dev/pts/")
    assert scale["used_by"] == "scale-1" and listed[bench.ports["barcode-1"].path]["used_by"] is None
    for port in listed.values():
        assert {"device", "by_id", "open_with", "description", "vid_pid", "used_by"} <= set(port)
    drivers = bench.ok("GET", "/drivers")
    assert {"name": "mt-sics", "kind": "scale"} in drivers["drivers"]
    assert drivers["serial_defaults"]["baudrate"] == 9600


def test_test_connection_identifies_a_device_without_saving_it(bench: Bench) -> None:
    events = bench.server.store.count()
    reader = bench.ok("POST", "/devices/test-connection", {**BARCODE, "port": bench.ports["barcode-1"].path})
    assert reader["ok"] is True and reader["state"] == "connected"
    assert bench.call("GET", "/devices/barcode-1").status_code == 404  # tried, not saved
    wrong = bench.ok("POST", "/devices/test-connection",
                     {"id": "scale-9", "kind": "scale", "driver": "mt-sics", "port": "/dev/ttyUSB99"})
    assert wrong["ok"] is False and "cannot open /dev/ttyUSB99" in wrong["detail"]
    assert bench.server.store.count() == events

    # the device being edited lets go of its port for the test, and comes back
    bench.connected("scale-1")
    same = bench.ok("POST", "/devices/test-connection",
                    {"id": "scale-1", "kind": "scale", "driver": "mt-sics", "port": bench.ports["scale-1"].path})
    assert same["ok"] is True and same["identity"]["model"] == "SIM-WB60" and same["identity"]["serial"] == "0123456789"
    assert same["reading"]["unit"] == "kg"
    bench.connected("scale-1")

    taken = bench.call("POST", "/devices/test-connection", json={
        "id": "scale-2", "kind": "scale", "driver": "mt-sics", "port": bench.ports["scale-1"].path})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "port_in_use"


def test_add_change_remove_a_device_are_events_and_survive_a_restart(bench: Bench) -> None:
    port = bench.ports["barcode-1"].path
    added = bench.ok("POST", "/devices", {**BARCODE, "port": port}, status=201)
    assert added["id"] == "barcode-1" and added["driver"] == "aim-barcode" and added["serial"]["baudrate"] == 9600
    bench.connected("barcode-1")
    bench.sims["barcode-1"].scan("CSQU3054383")
    wait_for(lambda: bench.server.devices.get("barcode-1").latest, message="a scan from the added reader")

    again = bench.call("POST", "/devices", json={**BARCODE, "port": port})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "device_exists"
    mismatch = bench.call("POST", "/devices", json={**BARCODE, "id": "x-1", "driver": "mt-sics", "port": "loop://"})
    assert mismatch.status_code == 400 and mismatch.get_json()["error"]["field"] == "driver"
    unknown = bench.call("POST", "/devices", json={**BARCODE, "id": "x-2", "port": "loop://", "colour": "red"})
    assert unknown.status_code == 400

    changed = bench.ok("PUT", "/devices/barcode-1", {"kind": "barcode", "driver": "aim-barcode", "port": port,
                                                     "baudrate": 19200, "calibration_interval_days": 7})
    assert changed["serial"]["baudrate"] == 19200 and changed["calibration_interval_days"] == 7
    bench.ok("DELETE", "/devices/trace-1")
    assert bench.call("GET", "/devices/trace-1").status_code == 404
    types = [e["type"] for e in bench.server.store.page(limit=1000)]
    assert types.count("device.added") == 1 and types.count("device.changed") == 1 and "device.removed" in types
    added_event = next(e for e in bench.server.store.page(limit=1000) if e["type"] == "device.added")
    assert added_event["actor"] == "tom" and added_event["payload"]["device"]["port"] == port

    bench.stop()
    bench.start()  # the config file still lists trace-1 and not barcode-1: the events win
    ids = {d["id"]: d for d in bench.ok("GET", "/devices")["devices"]}
    assert set(ids) == {"scale-1", "barcode-1"}
    assert ids["barcode-1"]["serial"]["baudrate"] == 19200


def test_raw_command_and_restart(bench: Bench) -> None:
    bench.connected("scale-1")
    answer = bench.ok("POST", "/devices/scale-1/command", {"command": "I4"})
    assert answer["reply"] == 'I4 A "0123456789"'
    unknown = bench.ok("POST", "/devices/scale-1/command", {"command": "XYZ"})
    assert unknown["reply"] == "ES"  # the scale's own refusal, shown, not raised
    sent = [e for e in bench.server.store.page(limit=1000) if e["type"] == "device.command_sent"]
    assert [e["payload"]["command"] for e in sent] == ["I4", "XYZ"]

    bad = bench.call("POST", "/devices/scale-1/command", json={"command": "Z\u00e9"})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "command"
    no_commands = bench.call("POST", "/devices/trace-1/command", json={"command": "ID?"})
    assert no_commands.status_code == 409 and no_commands.get_json()["error"]["code"] == "no_commands"

    reconnects = bench.server.devices.get("scale-1").driver.counters.reconnects
    restarted = bench.ok("POST", "/devices/scale-1/restart")
    assert restarted["id"] == "scale-1"
    bench.connected("scale-1")
    assert bench.server.devices.get("scale-1").driver.counters.reconnects == reconnects + 1
    assert bench.call("POST", "/devices/nope/restart").status_code == 404
