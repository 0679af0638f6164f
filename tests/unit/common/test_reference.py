"""Reference data: the file is checked whole (one clear line per problem),
loaded by the CLI as an event (and picked up by a running lane), the demo
file is sound, lookups normalise what officers type, risk adds up."""

from __future__ import annotations

import copy
import json

import pytest

from common.reference import ReferenceProblem, for_lane, load_reference_file, parse_reference
from drivers.validation.iso6346 import parse_container_number
from lanebox.demo import DEMO_REFERENCE

DEMO = json.loads(DEMO_REFERENCE.read_text())


@pytest.fixture(scope="module")
def reference():
    return load_reference_file(DEMO_REFERENCE)


def test_the_demo_file_is_sound(reference):
    assert reference.version == "demo-2026.1" and reference.currency == "GBP"
    assert reference.counts() == {"declarations": 8, "watchlist": 5, "tariff": 9, "exchange_rates": 5,
                                  "checklists": 2, "high_risk_origins": 2}
    containers = [c for d in DEMO["declarations"] for c in d.get("containers", [])]
    containers += [w["value"] for w in DEMO["watchlist"] if w["type"] == "container"]
    assert containers and all(parse_container_number(c)["valid"] for c in containers)
    assert reference.watch("document", "L898902C3")[0]["severity"] == "high"
    assert set(reference.checklists) == {"standard", "biosecurity"}


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


@pytest.mark.parametrize("label,change,message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_one_clear_line(label, change, message):
    with pytest.raises(ReferenceProblem) as caught:
        parse_reference(broken(change), "data.json")
    text = str(caught.value)
    assert text.startswith(f"data.json: {message}"), text
    assert "\n" not in text


def test_declarations_for_particular_lanes_go_only_to_them():
    data = broken(lambda d: (d["declarations"][0].update(lanes=["GBDVR-IN-01"]),
                             d["declarations"][1].update(lanes=["GBDVR-IN-02", "GBDVR-IN-03"])))
    parse_reference(data, "data.json")  # a file with lanes is as valid as one without
    refs = {lane: [d["ref"] for d in for_lane(data, lane)["declarations"]]
            for lane in ("GBDVR-IN-01", "GBDVR-IN-03", "GBDVR-OUT-01")}
    port_wide = [d["ref"] for d in DEMO["declarations"][2:]]
    assert refs == {"GBDVR-IN-01": ["GB-DEC-0001", *port_wide], "GBDVR-IN-03": ["GB-DEC-0002", *port_wide],
                    "GBDVR-OUT-01": port_wide}
    assert for_lane(data, "GBDVR-IN-01")["watchlist"] == DEMO["watchlist"]  # the rest is the port's
    assert for_lane(DEMO, "ANY-1") == DEMO  # an old file: every declaration is port-wide


def test_not_json_or_not_there(tmp_path):
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(ReferenceProblem, match=r"bad.json: not valid JSON"):
        load_reference_file(tmp_path / "bad.json")
    with pytest.raises(ReferenceProblem, match=r"missing.json: no such file"):
        load_reference_file(tmp_path / "missing.json")


