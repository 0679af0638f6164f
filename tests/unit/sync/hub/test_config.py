"""The hub's config: every problem one line naming file and key; paths and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.config import ConfigError
from sync.hub.config import default_config, load_hub_config, parse_hub_config


@pytest.mark.parametrize("text, message", [
    ('[hub]\nid = "H"\ndata_dir = "d"\nprot = 1\n', "hub.prot: unknown key"),
    ('[hub]\nid = "H"\nport = 70000\ndata_dir = "d"\n', "hub.port: 70000 is not a TCP port"),
    ('[hub]\nid = "no spaces"\ndata_dir = "d"\n', "hub.id: letters, digits"),
    ('[hub]\nid = "H"\n', "hub.data_dir: missing (required)"),
    ('[hub\n', "not valid TOML"),
    ('[hub]\nid = "H"\ndata_dir = "d"\ndatabase = "mysql://db/hub"\n',
     "hub.database: must be a postgresql:// URL"),
    ('[hub]\nid = "H"\ndata_dir = "d"\nredis_url = "http://cache"\n',
     "hub.redis_url: must be a redis://, rediss:// or unix:// URL"),
    ('[hub]\nid = "H"\ndata_dir = "d"\ntls_cert = "nope.crt"\ntls_key = "nope.key"\n',
     "hub.tls_cert: no such file"),
    ('[hub]\nid = "H"\ndata_dir = "d"\nmax_connections = 5000\n', "hub.max_connections: must be between 2 and"),
    ('[hub]\nid = "H"\ndata_dir = "d"\nread_timeout_s = 301\n', "hub.read_timeout_s: must be between 1 and 300"),
    ('[hub]\nid = "H"\ndata_dir = "d"\nread_timeout_s = true\n', "hub.read_timeout_s: must be an integer or"),
])
def test_a_bad_config_names_file_and_key(tmp_path, text, message):
    config = tmp_path / "hub.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_hub_config(config)
    assert str(refused.value).startswith(f"{config}: ") and message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_config_paths_and_defaults(tmp_path):
    config = parse_hub_config({"hub": {"id": "GBDVR-HUB", "data_dir": "store"}},
                              source="hub.toml", base_dir=tmp_path)
    assert (config.host, config.port) == ("127.0.0.1", 9090)
    assert (config.limits.max_connections, config.limits.read_timeout_s) == (200, 10.0)
    assert default_config().limits == config.limits
    limited = parse_hub_config({"hub": {"id": "H", "data_dir": "d", "max_connections": 50, "read_timeout_s": 30}})
    assert (limited.limits.max_connections, limited.limits.read_timeout_s) == (50, 30.0)
    assert config.store_path == tmp_path / "store" / "hub.sqlite3"
    assert default_config().data_dir == Path("lanebox-hub").resolve()
    with pytest.raises(ConfigError, match="hub.toml: hub: missing"):
        parse_hub_config({}, source="hub.toml")
