"""A lane served over HTTPS, as tablets on the lane network need it."""

from __future__ import annotations

import subprocess

import pytest
import requests

from edge.config import ConfigError, load_config
from tests.support.lane_process import LaneRig


def self_signed(folder):
    cert, key = folder / "lane.crt", folder / "lane.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_the_lane_serves_https_when_given_a_certificate(tmp_path):
    cert, key = self_signed(tmp_path)
    rig = LaneRig(root=tmp_path)
    rig.write_config()
    rig.config_path.write_text(rig.config_path.read_text().replace(
        'data_dir = "data"\n', 'data_dir = "data"\ntls_cert = "lane.crt"\ntls_key = "lane.key"\n'))
    try:
        rig.start()
        assert rig.url.startswith("https://127.0.0.1:")
        assert requests.get(f"{rig.url}/healthz", verify=str(cert), timeout=10).json()["status"] == "ok"
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{rig.url}/healthz", timeout=10)  # not trusted without the lane's certificate
    finally:
        rig.close()


def test_tls_settings_are_checked(tmp_path):
    path = tmp_path / "lane.toml"
    path.write_text('[lane]\nid = "T-1"\n[server]\ndata_dir = "d"\ntls_cert = "missing.crt"\ntls_key = "k"\n')
    with pytest.raises(ConfigError, match="server.tls_cert: no such file"):
        load_config(path)
    path.write_text('[lane]\nid = "T-1"\n[server]\ndata_dir = "d"\ntls_cert = "lane.crt"\n')
    with pytest.raises(ConfigError, match="server.tls_key: tls_cert and tls_key go together"):
        load_config(path)
