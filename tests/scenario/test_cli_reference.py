"""`lanebox reference load`: a good file loaded once, a bad one refused in one line."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from lanebox.demo import DEMO_REFERENCE
from tests.support.lane_process import run_cli
from tests.support.stores import stored_references

DEMO = json.loads(DEMO_REFERENCE.read_text())


def broken(change) -> dict:
    data = copy.deepcopy(DEMO)
    change(data)
    return data


def make_config(tmp_path: Path) -> str:
    path = tmp_path / "lane.toml"
    path.write_text('[lane]\nid = "REF-1"\n[server]\ndata_dir = "data"\n')
    return str(path)


def test_cli_loads_once_and_refuses_a_bad_file_with_one_line(tmp_path):
    config = make_config(tmp_path)
    loaded = run_cli("reference", "load", "--config", config, str(DEMO_REFERENCE))
    assert loaded.stdout.startswith("loaded reference data demo-2026.1 (8 declarations")
    again = run_cli("reference", "load", "--config", config, str(DEMO_REFERENCE))
    assert again.stdout.startswith("already loaded")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken(lambda d: d["declarations"][0]["containers"].__setitem__(0, "CSQU3054384"))))
    refused = run_cli("reference", "load", "--config", config, str(bad), check=False)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "declarations[0].containers[0]" in lines[0] and "check digit" in lines[0]
    assert stored_references(tmp_path) == ["demo-2026.1"]
    usage = run_cli("reference", "load", "--config", config, check=False)
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1


