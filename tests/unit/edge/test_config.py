"""The lane config: checked at start, every problem one clear line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.config import ConfigError, load_config
from tests.support.lane_config import GOOD


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lane.toml"
    path.write_text(text)
    return path


def test_the_contract_example_loads(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.lane_id == "GBDVR-IN-03" and config.port == 8080
    assert config.data_dir == (tmp_path / "store").resolve()  # relative to the config file's folder
    assert config.upstream is not None and config.upstream.url == "http://127.0.0.1:9090"
    scale = config.devices[0]
    serial = scale.serial
    assert (scale.driver, serial.baudrate, serial.parity, serial.bytesize) == ("mt-sics", 19200, "E", 7)
    assert config.devices[1].serial.baudrate == 9600  # default 9600 8N1
    assert (config.limits.max_connections, config.limits.read_timeout_s) == (100, 10.0)  # docs/server.md


def test_server_limits_are_read(tmp_path):
    text = GOOD.replace('host = "127.0.0.1"', 'host = "127.0.0.1"\nmax_connections = 20\nread_timeout_s = 2.5')
    config = load_config(write(tmp_path, text))
    assert (config.limits.max_connections, config.limits.read_timeout_s) == (20, 2.5)


@pytest.mark.parametrize("change,key,words", [
    (('id = "GBDVR-IN-03"', 'id = "GB DVR"'), "lane.id", "letters, digits"),
    (('port = 8080', 'port = "8080"'), "server.port", "must be an integer"),
    (('port = 8080', 'port = 99999'), "server.port", "not a TCP port"),
    (('data_dir = "store"\n', ''), "server.data_dir", "missing"),
    (('driver = "mt-sics"', 'driver = "mt-sicks"'), "devices[0].driver", "unknown driver"),
    (('driver = "etd-ascii"', 'driver = "mt-sics"'), "devices[1].driver", "drives a scale"),
    (('kind = "scale"', 'kind = "forklift"'), "devices[0].kind", "not one of"),
    (('baudrate = 19200', 'baudrat = 19200'), "devices[0].baudrat", "unknown key"),
    (('parity = "E"', 'parity = "X"'), "devices[0].parity", "parity must be"),
    (('bytesize = 7', 'bytesize = 9'), "devices[0].bytesize", "bytesize must be"),
    (('id = "trace-1"', 'id = "scale-1"'), "devices[1].id", "duplicate"),
    (('url = "http://127.0.0.1:9090"', 'url = "ftp://hub"'), "upstream.url", "http(s) URL"),
    (('token = "secret"', 'token = "secret"\nca_file = "port-ca.pem"'), "upstream.ca_file", "no such file"),
    (('token = "secret"', 'token = "secret"\npull_interval_s = 0'), "upstream.pull_interval_s", "between 1 and"),
    (('host = "127.0.0.1"', 'host = true'), "server.host", "not a boolean"),
    (('host = "127.0.0.1"', 'host = "127.0.0.1"\nmax_connections = 1'), "server.max_connections", "between 2 and"),
    (('host = "127.0.0.1"', 'host = "127.0.0.1"\nmax_connections = 2.5'), "server.max_connections", "an integer"),
    (('host = "127.0.0.1"', 'host = "127.0.0.1"\nread_timeout_s = 0'), "server.read_timeout_s", "between 1 and"),
    (('host = "127.0.0.1"', 'host = "127.0.0.1"\nread_timeout_s = "10"'), "server.read_timeout_s", "a number"),
    (('host = "127.0.0.1"', 'host = "127.0.0.1"\nread_timout_s = 10'), "server.read_timout_s", "unknown key"),
])
def test_each_problem_names_file_key_and_why(tmp_path, change, key, words):
    path = write(tmp_path, GOOD.replace(*change, 1))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: ") and words in message and "\n" not in message


def test_upstream_without_a_url_discovers_and_a_ca_file_is_relative_to_the_config(tmp_path):
    (tmp_path / "port-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    config = load_config(write(tmp_path, GOOD.replace('url = "http://127.0.0.1:9090"\n', 'ca_file = "port-ca.pem"\n')))
    assert config.upstream is not None
    assert (config.upstream.url, config.upstream.token) == (None, "secret")  # no url: the hub is found by mDNS
    assert config.upstream.ca_file == tmp_path / "port-ca.pem" and config.upstream.pull_interval_s == 30


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[lane\nid="))
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml")


