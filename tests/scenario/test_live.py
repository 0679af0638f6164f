"""End to end: real `lanebox serve`, devices on ptys and socket://, a real
Socket.IO client — what a tablet sees."""

from __future__ import annotations

import re

import pytest
import socketio

from tests.support.tablet import Tablet
from tests.support.waiting import wait_for

ISO_MS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def tablet(lane):
    t = Tablet(lane.url, lane.token("olga"))
    yield t
    t.close()


def test_connect_gets_every_device_state_at_once(lane, tablet):
    wait_for(lambda: {s["device_id"] for s in tablet.statuses} >= set(lane.sims), message="all device states")
    kinds = {device_id: sim.kind for device_id, sim in lane.sims.items()}
    for status in tablet.statuses:
        assert set(status) == {"device_id", "kind", "use", "state", "detail"}
        assert status["kind"] == kinds[status["device_id"]]
        assert status["use"] == ("weighbridge" if status["kind"] == "scale" else None)
        assert status["state"] in {"connected", "disconnected", "error", "calibration_due", "locked"}


def test_scale_readings_arrive_with_contract_fields(lane, tablet):
    wait_for(lambda: "connected" in tablet.states_of("scale-1"), message="scale connected")
    lane.sims["scale-1"].set_load(12340.0, settle=True)
    reading = wait_for(lambda: [r for r in tablet.readings_of("scale-1") if r["data"]["weight"] == 12340.0
                                and r["data"]["stable"]], message="a stable 12340 kg reading")[-1]
    assert set(reading) == {"device_id", "kind", "seq", "ts", "data"}
    assert reading["kind"] == "scale" and isinstance(reading["seq"], int)
    assert ISO_MS_UTC.match(reading["ts"])
    data = reading["data"]
    assert data["unit"] == "kg" and data["status"] == "ok" and isinstance(data["weight"], float)
    assert "tare" in data


def test_barcode_document_and_trace_readings(lane, tablet):
    wait_for(lambda: all("connected" in tablet.states_of(d) for d in ("barcode-1", "document-1", "trace-1")),
             message="readers connected")
    lane.sims["barcode-1"].scan("CSQU3054383", symbology="]C0")
    lane.sims["document-1"].present(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                     "L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
    lane.sims["trace-1"].swab([("TNT", 350.0)], sample_id="E2E-1")

    scan = wait_for(lambda: tablet.readings_of("barcode-1"), message="a scan")[-1]["data"]
    assert scan["text"] == "CSQU3054383" and scan["symbology"] == "]C0"
    assert scan["parsed"]["type"] == "container" and scan["parsed"]["valid"] is True
    assert scan["parsed"]["owner"] == "CSQ" and scan["parsed"]["check_digit"] == "3"

    mrz = wait_for(lambda: tablet.readings_of("document-1"), message="a passport")[-1]["data"]["mrz"]
    assert mrz["format"] == "TD3" and mrz["valid"] is True
    assert mrz["document_number"] == "L898902C3" and mrz["surname"] == "ERIKSSON"
    assert all(mrz["checks"].values())

    trace = wait_for(lambda: tablet.readings_of("trace-1"), message="a trace result")[-1]
    assert trace["kind"] == "trace"
    assert trace["data"]["result"] == "alarm" and trace["data"]["sample_id"] == "E2E-1"
    assert trace["data"]["substances"][0]["name"] == "TNT"


def test_no_token_or_a_bad_token_is_refused(lane):
    for token in (None, "not-a-real-token"):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(lane.url, namespaces=["/live"], auth={"token": token} if token else None,
                           transports=["websocket"], wait_timeout=10)
        client.disconnect()


def test_unplug_and_replug_are_pushed(lane, tablet):
    wait_for(lambda: "connected" in tablet.states_of("barcode-1"), message="barcode connected")
    lane.ports["barcode-1"].unplug()
    wait_for(lambda: tablet.states_of("barcode-1")[-1] == "disconnected", timeout=3, message="disconnected pushed")
    lane.ports["barcode-1"].replug()
    wait_for(lambda: tablet.states_of("barcode-1")[-1] == "connected", timeout=3, message="connected pushed")
    lane.sims["barcode-1"].scan("TCNU7200794")
    wait_for(lambda: any(r["data"]["text"] == "TCNU7200794" for r in tablet.readings_of("barcode-1")),
             message="scans again after replug")


def test_unplugging_the_terminal_server_is_pushed(lane, tablet):
    wait_for(lambda: "connected" in tablet.states_of("trace-1"), message="trace connected")
    lane.ports["trace-1"].unplug()
    wait_for(lambda: tablet.states_of("trace-1")[-1] == "disconnected", timeout=3, message="disconnected pushed")
    lane.ports["trace-1"].replug()
    wait_for(lambda: tablet.states_of("trace-1")[-1] == "connected", timeout=3, message="connected pushed")


def test_garbage_on_a_line_leaves_the_server_fine(lane, tablet):
    before = lane.api("GET", "/devices/barcode-1", user="tom").json()["counters"]["drops"]
    lane.sims["barcode-1"].send(b"\xff\xfe\xfd\r\n" + bytes(range(256)) * 8 + b"\r\n")
    lane.sims["barcode-1"].scan("MWCU6059784")
    wait_for(lambda: any(r["data"]["text"] == "MWCU6059784" for r in tablet.readings_of("barcode-1")),
             message="a good scan after garbage")
    after = lane.api("GET", "/devices/barcode-1", user="tom").json()["counters"]["drops"]
    assert after > before
    assert lane.api("GET", "/lane", user="vic").status_code == 200
    assert lane.process.poll() is None
