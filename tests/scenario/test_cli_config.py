"""The command line: a bad config or a bad flag is one clear line and exit 2; --help works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.lane_config import GOOD
from tests.support.lane_process import run_cli


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lane.toml"
    path.write_text(text)
    return path


def test_serve_refuses_a_missing_ca_file_in_one_line(tmp_path):
    path = write(tmp_path, GOOD.replace('token = "secret"', 'token = "secret"\nca_file = "port-ca.pem"'))
    result = run_cli("serve", "--config", str(path), check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"upstream.ca_file: no such file: {tmp_path / 'port-ca.pem'}" in result.stderr


def test_serve_with_a_bad_config_exits_2_with_one_line(tmp_path):
    path = write(tmp_path, GOOD.replace('driver = "mt-sics"', 'driver = "nope"'))
    result = run_cli("serve", "--config", str(path), check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "devices[0].driver" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"], ["demo", "--help"], ["verify", "--help"],
                                  ["devices", "--help"], ["simulate", "--help"], ["users", "add", "--help"]])
def test_help_works(args):
    result = run_cli(*args)
    assert "usage: lanebox" in result.stdout


def test_a_bad_flag_exits_non_zero_with_one_line():
    result = run_cli("serve", "--config", "x", "--colour", check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--colour" in result.stderr
