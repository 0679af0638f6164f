"""A stream device's frame and a modbus device's register map are device
settings like any other: checked by the config's rules (the key named on a
refusal), carried whole in device events and replayed at start; a stored
frame today's rules refuse is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.stream import PRESETS, FrameSpec
from edge.config import ConfigError, load_config, parse_device
from edge.devices.setup import ADDED, CHANGED, change_payload, replay_changes
from tests.support.lane_config import GOOD

STREAM = '''
[[devices]]
id = "wb-1"
kind = "scale"
driver = "stream"
port = "/dev/ttyS9"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lane.toml"
    path.write_text(text)
    return path


def test_a_stream_device_with_its_frame_loads(tmp_path):
    text = GOOD + STREAM + '''
[devices.frame]
template = "<STX>{sign:1}{weight:7}{unit:2}{status:1}"
units = { kg = "kg", lb = "lb" }
motion = ["M"]
'''
    device = load_config(write(tmp_path, text)).devices[-1]
    assert device.driver == "stream"
    assert device.frame == FrameSpec(template="<STX>{sign:1}{weight:7}{unit:2}{status:1}",
                                     units=(("kg", "kg"), ("lb", "lb")), motion=("M",))


def test_a_preset_frame_loads(tmp_path):
    device = load_config(write(tmp_path, GOOD + STREAM + '[devices.frame]\npreset = "cardinal"\n')).devices[-1]
    assert device.frame == PRESETS["cardinal"]


@pytest.mark.parametrize("extra, key, words", [
    ("", "frame", "needs frame"),
    ('[devices.frame]\ntemplate = "{weight}"\n', "frame.unit", "which unit"),
    ('[devices.frame]\npattern = "(?P<weight>(a+)+)"\nunit = "kg"\n', "frame.pattern", "forever"),
    ('[devices.frame]\npreset = "mettler"\n', "frame.preset", "not one of"),
    ('[devices.frame]\ntemplate = "{weight}"\nunit = "kg"\nspeed = 3\n', "frame.speed", "not a frame setting"),
])
def test_a_frame_that_cannot_work_names_its_key(tmp_path, extra, key, words):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD + STREAM + extra))
    assert caught.value.key.endswith(key) and words in caught.value.problem


def test_only_the_stream_driver_takes_a_frame():
    with pytest.raises(ConfigError) as caught:
        parse_device("form", "", {"id": "s", "kind": "scale", "driver": "mt-sics", "port": "/dev/ttyS1",
                                  "frame": {"preset": "cardinal"}}, None)
    assert caught.value.key == "frame" and "only the stream driver takes frame" in caught.value.problem


def test_device_events_carry_the_frame_and_replay_it():
    form = {"id": "wb-1", "kind": "scale", "driver": "stream", "port": "/dev/ttyS9",
            "frame": {"template": "{weight:8} {unit:2}", "units": {"KG": "kg"}, "decimals": 1}}
    device = parse_device("form", "", form, None)
    payload = change_payload(device, "new indicator")
    assert payload["device"]["frame"] == form["frame"]
    replayed = replay_changes({}, [{"seq": 1, "type": ADDED, "payload": payload}], None)
    assert replayed["wb-1"] == device

    changed = {**payload["device"], "frame": {"preset": "rice-lake"}}
    replayed = replay_changes(replayed, [{"seq": 2, "type": CHANGED, "payload": {"device_id": "wb-1",
                                                                                "device": changed}}], None)
    assert replayed["wb-1"].frame == PRESETS["rice-lake"]


def test_a_stored_frame_refused_today_is_skipped(caplog):
    bad = {"id": "wb-1", "kind": "scale", "driver": "stream", "port": "/dev/ttyS9",
           "frame": {"pattern": "(?P<weight>(\\d+)*)+", "unit": "kg"}}
    replayed = replay_changes({}, [{"seq": 7, "type": ADDED, "payload": {"device_id": "wb-1", "device": bad}}], None)
    assert replayed == {}
    assert "event 7" in caplog.text and "frame.pattern" in caplog.text


# ----- the modbus driver's register map, the same way ------------------------------------------
MODBUS = '''
[[devices]]
id = "wb-2"
kind = "scale"
driver = "modbus"
port = "/dev/ttyS8"
'''


def test_a_modbus_device_with_its_register_map_loads(tmp_path):
    text = GOOD + MODBUS + '''
[devices.registers]
preset = "laumas"
unit_id = 3
scale = 0.1
'''
    device = load_config(write(tmp_path, text)).devices[-1]
    assert device.registers is not None and device.registers.unit_id == 3 and device.registers.weight.scale == 0.1
    assert device.frame is None


@pytest.mark.parametrize("extra, key, words", [
    ("", "registers", "needs registers"),
    ('[devices.registers]\nweight = { address = 0 }\nunit = "kg"\n', "registers.bits", "motion"),
    ('[devices.registers]\npreset = "laumas"\nunit_id = 300\n', "registers.unit_id", "1-247"),
])
def test_a_register_map_that_cannot_work_names_its_key(tmp_path, extra, key, words):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD + MODBUS + extra))
    assert caught.value.key.endswith(key) and words in caught.value.problem


def test_device_events_carry_the_register_map_and_replay_it():
    form = {"id": "wb-2", "kind": "scale", "driver": "modbus", "port": "/dev/ttyS8",
            "registers": {"weight": {"address": 0, "type": "float32"}, "unit": "kg", "unit_id": 4, "status": 2,
                          "bits": {"motion": [0], "net": [1]}, "before_read": {"address": 9, "value": 1}}}
    device = parse_device("form", "", form, None)
    payload = change_payload(device)
    assert payload["device"]["registers"] == form["registers"]
    assert replay_changes({}, [{"seq": 1, "type": ADDED, "payload": payload}], None)["wb-2"] == device
    with pytest.raises(ConfigError) as caught:
        parse_device("form", "", {**form, "driver": "sma"}, None)
    assert caught.value.key == "registers"
