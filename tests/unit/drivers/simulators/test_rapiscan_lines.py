"""The radiation portal monitor simulator sends what docs/protocols.md section 11
describes, checked over a real pty with plain pyserial — not with lanebox's
driver: line shapes, backgrounds while the lane is empty, an occupancy from
its first scan line to GX, alarm lines only for vehicles that carry a source."""

from __future__ import annotations

import re

import pytest

from drivers.simulators.rapiscan_lines import RapiscanSimulator

COUNT = r"\d{1,9}"
COUNTS = rf"(,{COUNT}){{4}}(,[^,]*)*"
NUMBER = r"\d+(\.\d+)?"
SHAPES = {
    "background": re.compile(rf"^(GB|NB){COUNTS}$"),
    "scan": re.compile(rf"^(GS|GA|NS|NA){COUNTS}$"),
    "fault": re.compile(rf"^(GH|GL|NH){COUNTS}$"),
    "end": re.compile(rf"^GX,{COUNT}(,{COUNT})?(,[^,]*)*$"),
    "speed": re.compile(rf"^SP,{NUMBER},{NUMBER},{NUMBER}(,[^,]*)*$"),
    "tamper": re.compile(r"^(TT|TC)$"),
    "setup": re.compile(r"^(SG[123]|SN[12])(,[\x20-\x7e]+)+$"),
}


def lines_of(received: bytes) -> list[str]:
    """Whole CR LF-ended lines (what a real terminal server carries)."""
    text = received.decode("ascii")
    return text.split("\r\n")[:-1]


def shape(line: str) -> str:
    return next((name for name, pattern in SHAPES.items() if pattern.match(line)), "unknown")


@pytest.fixture
def monitor(raw_line):
    def start(**options):
        sim = RapiscanSimulator(seed=3, **options)
        return sim, raw_line(sim)
    return start


def passes(lines: list[str]) -> list[list[str]]:
    """The occupancies in ``lines``: from a first scan line after background to its GX."""
    found, current = [], None
    for line in lines:
        if shape(line) == "scan" and current is None:
            current = []
        if current is not None:
            current.append(line)
        if line.startswith("GX,"):
            found.append(current)
            current = None
    return found


def test_while_the_lane_is_empty_only_backgrounds_come_in_pairs_of_realistic_counts(monitor):
    sim, read_until = monitor()
    lines = lines_of(read_until(lambda b: b.count(b"\r\n") >= 20))
    assert {shape(line) for line in lines} == {"background"}
    gamma = [int(c) for line in lines if line.startswith("GB") for c in line.split(",")[1:5]]
    neutron = [int(c) for line in lines if line.startswith("NB") for c in line.split(",")[1:5]]
    assert abs(len(gamma) - len(neutron)) <= 4
    assert 150 < sum(gamma) / len(gamma) < 600, "a few hundred counts per second per gamma detector"
    assert sum(neutron) / len(neutron) < 10 and max(neutron) < 30, "a few neutron counts"


@pytest.mark.parametrize("kind, gamma_alarm, neutron_alarm", [
    ("clean", False, False), ("gamma", True, False), ("norm", True, False), ("neutron", False, True)])
def test_an_occupancy_runs_from_its_first_scan_line_to_gx_and_alarms_only_with_a_source(
        monitor, kind, gamma_alarm, neutron_alarm):
    sim, read_until = monitor()
    read_until(lambda b: b.count(b"\r\n") >= 4)
    sim.drive_vehicle(kind, seconds=2.0, speed_kmh=12.0)
    lines = lines_of(read_until(lambda b: re.search(rb"GX,[^\r]*\r\n(.*\r\n){2}", b, re.S) is not None))
    start = next(i for i, line in enumerate(lines) if shape(line) == "scan")
    end = next(i for i, line in enumerate(lines) if line.startswith("GX,"))
    assert {shape(line) for line in lines[:start]} == {"background"}
    during = lines[start:end]
    assert {shape(line) for line in during} <= {"scan", "speed"}, "no background while occupied"
    assert 9 <= sum(line[:2] in ("GS", "GA") for line in during) <= 11, "a gamma line every 200 ms for 2 s"
    assert any(line.startswith("GA,") for line in during) == gamma_alarm
    assert any(line.startswith("NA,") for line in during) == neutron_alarm
    speed = lines[end - 1].split(",")
    assert speed[0] == "SP" and float(speed[3]) == 12.0 and float(speed[2]) == pytest.approx(12.0 / 1.609, abs=0.1)
    assert SHAPES["end"].match(lines[end]) and int(lines[end].split(",")[1]) == 1
    assert {shape(line) for line in lines[end + 1:]} == {"background"}, "backgrounds again once it has gone"


def test_vehicles_queue_and_the_occupancy_count_goes_up(monitor):
    sim, read_until = monitor()
    sim.drive_vehicle("clean", seconds=0.4, speed_kmh=None)
    sim.drive_vehicle("gamma", seconds=0.6)
    lines = lines_of(read_until(lambda b: b.count(b"GX,") == 2))
    first, second = passes(lines)
    assert [int(p[-1].split(",")[1]) for p in (first, second)] == [1, 2]
    assert not any(line.startswith("SP") for line in first), "no speed when none was measured"
    assert not any(line[:2] in ("GA", "NA") for line in first)
    assert any(line.startswith("GA") for line in second)


def test_tamper_faults_and_setup_have_their_shapes(monitor):
    sim, read_until = monitor()
    sim.tamper()
    sim.clear_tamper()
    sim.send_setup()
    sim.fault("GH")
    lines = lines_of(read_until(lambda b: b.count(b"GH,") >= 2))
    assert lines.index("TT") < lines.index("TC")
    assert [line.split(",")[0] for line in lines if shape(line) == "setup"] == ["SG1", "SG2", "SG3", "SN1", "SN2"]
    after = lines[lines.index("SN2,0.200,2.500,0.200,2.500") + 1:]
    gh = [int(c) for line in after if line.startswith("GH") for c in line.split(",")[1:5]]
    assert not any(line.startswith("GB") for line in after[2:]), "GH comes instead of GB"
    assert min(gh) > 500, "a high gamma background"
    sim.clear_fault()
    sim.fault("NH")
    lines = lines_of(read_until(lambda b: b.count(b"NH,") >= 2))
    assert all(shape(line) in SHAPES for line in lines)


def test_a_vehicle_kind_it_does_not_know_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        RapiscanSimulator().drive_vehicle("tractor")
    with pytest.raises(ValueError, match="fault must be one of"):
        RapiscanSimulator().fault("XX")
