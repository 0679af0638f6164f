"""``[[cameras]]`` and ``[mqtt]``: a lane's cameras and broker, every mistake one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.cameras.tokens import token_sha256
from edge.config import ConfigError, load_config

TOKEN = "a-camera-token"
BASE = f"""
[lane]
id = "CAM-1"

[server]
data_dir = "store"

[[cameras]]
id = "gate-3"
format = "hikvision"
role = "plate"
token_sha256 = "{token_sha256(TOKEN)}"

[[cameras]]
id = "ocr-1"
format = "generic"
token_file = "ocr.token"

[[cameras]]
id = "axis-1"
format = "onvif"

[mqtt]
url = "mqtts://broker.port.example:8883"
username = "lane3"
password_file = "mqtt.password"
topic_prefix = "port/lane3/"
"""


def load(tmp_path: Path, text: str = BASE):  # type: ignore[no-untyped-def]
    (tmp_path / "ocr.token").write_text(TOKEN + "\n")
    (tmp_path / "mqtt.password").write_text("broker secret\n")
    path = tmp_path / "lane.toml"
    path.write_text(text)
    return load_config(path)


def test_cameras_and_the_broker_are_read(tmp_path: Path):
    config = load(tmp_path)
    gate, ocr, axis = config.cameras
    assert (gate.id, gate.format, gate.role, gate.token_sha256) == ("gate-3", "hikvision", "plate", token_sha256(TOKEN))
    assert ocr.role == "both" and ocr.token_sha256 == token_sha256(TOKEN)  # the file's token, without its newline
    assert axis.token_sha256 is None
    mqtt = config.mqtt
    assert mqtt is not None
    assert (mqtt.host, mqtt.port, mqtt.tls, mqtt.username, mqtt.password, mqtt.topic_prefix) == (
        "broker.port.example", 8883, True, "lane3", "broker secret", "port/lane3")


def test_no_cameras_and_no_broker_by_default(tmp_path: Path):
    config = load(tmp_path, BASE.split("[[cameras]]")[0])
    assert config.cameras == () and config.mqtt is None


@pytest.mark.parametrize("change,key,words", [
    (('id = "gate-3"', 'id = "gate 3"'), "cameras[0].id", "letters, digits"),
    (('format = "hikvision"', 'format = "dahua"'), "cameras[0].format", "not one of generic, hikvision"),
    (('format = "hikvision"', ''), "cameras[0].format", "missing (required)"),
    (('role = "plate"', 'role = "lorry"'), "cameras[0].role", "not one of plate, container, both"),
    ((f'token_sha256 = "{token_sha256(TOKEN)}"', ''), "cameras[0].token_sha256", "give token_sha256 or token_file"),
    ((f'token_sha256 = "{token_sha256(TOKEN)}"', 'token_sha256 = "ABC"'), "cameras[0].token_sha256", "64 lowercase"),
    (('token_file = "ocr.token"', 'token_file = "missing.token"'), "cameras[1].token_file", "cannot read"),
    (('token_file = "ocr.token"', f'token_file = "ocr.token"\ntoken_sha256 = "{"0" * 64}"'),
     "cameras[1].token_sha256", "one of them"),
    (('format = "onvif"', 'format = "onvif"\ntoken_file = "ocr.token"'), "cameras[2].token_file", "broker"),
    (('id = "axis-1"', 'id = "gate-3"'), "cameras[2].id", "duplicate camera id"),
    (('role = "plate"', 'role = "plate"\nport = 80'), "cameras[0].port", "unknown key"),
    (('url = "mqtts://broker.port.example:8883"', 'url = "http://broker:1883"'), "mqtt.url", "not mqtt://"),
    (('url = "mqtts://broker.port.example:8883"', 'url = "mqtt://broker:99999"'), "mqtt.url", "no valid port"),
    (('username = "lane3"', ''), "mqtt.password_file", "goes with username"),
    (('topic_prefix = "port/lane3/"', 'topic_prefix = "port/#"'), "mqtt.topic_prefix", "no MQTT wildcards"),
    (('topic_prefix = "port/lane3/"', 'topix = "x"'), "mqtt.topix", "unknown key"),
])
def test_each_problem_names_the_key_and_why(tmp_path: Path, change: tuple[str, str], key: str, words: str):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, BASE.replace(*change, 1))
    assert refused.value.key == key
    assert words in refused.value.problem
