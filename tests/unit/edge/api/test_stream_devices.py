"""Setting up stream indicators through the technician routes: a preset driver
is tried, saved and read like any device; the generic stream driver without
its frame is refused with the key named, and nothing is stored."""

from __future__ import annotations

from typing import Iterator

import pytest

from drivers.simulators.ports import PtyPort
from drivers.simulators.stream import CardinalStreamSimulator
from tests.support.lane_process import by_id_link
from tests.support.technician_bench import Bench, close_bench, make_bench
from tests.support.waiting import wait_for


@pytest.fixture
def bench(tmp_path) -> Iterator[Bench]:
    bench = make_bench(tmp_path)
    try:
        yield bench.start()
    finally:
        close_bench(bench)


@pytest.fixture
def cardinal(tmp_path, stop_later) -> tuple[CardinalStreamSimulator, str]:
    sim = CardinalStreamSimulator()
    port = PtyPort(sim, link=by_id_link(tmp_path, "wb-cardinal")).start()
    stop_later.append(port)
    return sim, port.path


def test_a_preset_stream_indicator_is_tried_saved_and_read(bench: Bench, cardinal) -> None:
    sim, path = cardinal
    sim.set_load(18_240)
    device = {"id": "wb-2", "kind": "scale", "driver": "cardinal-stream", "port": path}
    events = bench.server.store.count()
    tried = bench.ok("POST", "/devices/test-connection", device)
    assert tried["ok"] is True and tried["reading"]["weight"] == 18_240 and tried["reading"]["unit"] == "kg"
    assert bench.server.store.count() == events

    added = bench.ok("POST", "/devices", device, status=201)
    assert added["driver"] == "cardinal-stream" and added["frame"] is None
    wait_for(lambda: (bench.server.devices.get("wb-2").latest or {}).get("data", {}).get("weight") == 18_240,
             message="a reading from the saved indicator")
    event = bench.server.store.page(limit=1000)[-1]
    assert event["type"] == "device.added" and event["payload"]["device"]["driver"] == "cardinal-stream"


def test_the_stream_driver_without_a_frame_is_refused_and_nothing_stored(bench: Bench, cardinal) -> None:
    _, path = cardinal
    events = bench.server.store.count()
    for route in ("/devices/test-connection", "/devices"):
        refused = bench.call("POST", route, json={"id": "wb-3", "kind": "scale", "driver": "stream", "port": path})
        assert refused.status_code == 400
        error = refused.get_json()["error"]
        assert error["field"] == "frame" and "needs frame" in error["message"]
    assert bench.server.store.count() == events
    assert bench.call("GET", "/devices/wb-3").status_code == 404


def test_a_custom_frame_given_in_the_form_is_tried_and_saved_and_a_bad_one_names_its_key(bench: Bench,
                                                                                         cardinal) -> None:
    _, path = cardinal
    events = bench.server.store.count()
    bad = bench.call("POST", "/devices", json={"id": "wb-4", "kind": "scale", "driver": "stream", "port": path,
                                               "frame": {"template": "{weight:8}", "colour": "red"}})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "frame.colour"
    assert bench.server.store.count() == events
    added = bench.ok("POST", "/devices", {"id": "wb-4", "kind": "scale", "driver": "stream", "port": path,
                                          "frame": {"preset": "cardinal"}}, status=201)
    assert added["frame"] == {"preset": "cardinal"}
    assert bench.server.store.page(limit=1000)[-1]["payload"]["device"]["frame"] == {"preset": "cardinal"}
