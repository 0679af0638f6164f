"""`lanebox reference load`: a good file loaded once, a bad one refused in one line."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import pytest

from common.reference import load_reference_file
from lanebox.demo import DEMO_REFERENCE
from tests.support.lane_process import run_cli

DEMO = json.loads(DEMO_REFERENCE.read_text())


@pytest.fixture(scope="module")
def reference():
    return load_reference_file(DEMO_REFERENCE)


def broken(change) -> dict:
    data = copy.deepcopy(DEMO)
    change(data)
    return data


BAD = [
    ("no version", lambda d: d.pop("version"), "top level: 'version' is a required property"),
    ("unknown key", lambda d: d.update(colour="red"), "top level: Additional properties are not allowed"),
    ("bad check digit", lambda d: d["declarations"][1]["containers"].__setitem__(0, "MSCU4829131"),
     "declarations[1].containers[0]: 'MSCU4829131' is not a valid ISO 6346 container number: check digit"),
    ("bad plate", lambda d: d["declarations"][0].update(plate="?"), "declarations[0].plate: '?': a plate is"),
    ("goods currency without rate", lambda d: d["declarations"][2]["goods"][0].update(currency="JPY"),
     "declarations[2].goods[0].currency: JPY has no exchange rate"),
    ("local currency not 1", lambda d: d["exchange_rates"].update(GBP=1.2), "exchange_rates.GBP: the local currency"),
    ("duplicate ref", lambda d: d["declarations"][1].update(ref="GB-DEC-0001"),
     "declarations[1].ref: GB-DEC-0001 is declared twice"),
    ("rate over 1", lambda d: d["tariff"][0].update(duty_rate=8), "tariff[0].duty_rate: 8 is greater than"),
    ("duplicate tariff line", lambda d: d["tariff"].append(dict(d["tariff"][0])),
     "tariff: hs_prefix 0304 is listed twice"),
    ("bad severity", lambda d: d["watchlist"][0].update(severity="low"), "watchlist[0].severity:"),
    ("watchlisted container", lambda d: d["watchlist"][2].update(value="MSKU2309612"), "watchlist[2].value:"),
    ("bad lane id", lambda d: d["declarations"][0].update(lanes=["DOVER IN 3"]),
     "declarations[0].lanes[0]: 'DOVER IN 3' does not match"),
    ("no lanes", lambda d: d["declarations"][0].update(lanes=[]), "declarations[0].lanes: [] should be non-empty"),
]


def make_config(tmp_path: Path) -> str:
    path = tmp_path / "lane.toml"
    path.write_text('[lane]\nid = "REF-1"\n[server]\ndata_dir = "data"\n')
    return str(path)


def stored_references(tmp_path: Path) -> list[str]:
    database = sqlite3.connect(tmp_path / "data" / "lane.sqlite3")
    try:
        return [row[0] for row in database.execute(
            "select json_extract(payload, '$.version') from events where type = 'reference.loaded'")]
    finally:
        database.close()


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


