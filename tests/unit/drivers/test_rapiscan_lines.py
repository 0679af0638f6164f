"""The rapiscan-lines driver: the line vectors of docs/protocols.md section 11,
the fold of lines into background / occupied / occupancy readings (with a
fake clock), fuzzing of the parser and of the driver's bytes, then the
driver against its simulator over a real pty and over real TCP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.rapiscan_lines import OccupancyFold, RapiscanLinesMonitor, RpmFormatError, parse_rpm_line
from drivers.simulators.ports import PtyPort, TcpPort
from drivers.simulators.rapiscan_lines import RapiscanSimulator
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for


# ----- the vectors of docs/protocols.md section 11 ------------------------------------------------
@pytest.mark.parametrize("line, expected", [
    (b"GB,000220,000231,000210,000226", {"type": "GB", "counts": [220, 231, 210, 226]}),
    (b"NB,1,0,2,1", {"type": "NB", "counts": [1, 0, 2, 1]}),
    (b"GS,000044,000051,000039,000047", {"type": "GS", "counts": [44, 51, 39, 47]}),
    (b"GA,000126,000128,000078,000078", {"type": "GA", "counts": [126, 128, 78, 78]}),
    (b"NS,0,0,1,0", {"type": "NS", "counts": [0, 0, 1, 0]}),
    (b"NA,000009,000011,000004,000002", {"type": "NA", "counts": [9, 11, 4, 2]}),
    (b"GX,000012,001500", {"type": "GX", "occupancy": 12, "neutron_background": 1.5}),
    (b"GX,7", {"type": "GX", "occupancy": 7, "neutron_background": None}),
    (b"SP,1.1250,05.0,08.0", {"type": "SP", "seconds": 1.125, "mph": 5.0, "kmh": 8.0}),
    (b"TT", {"type": "TT"}),
    (b"TC", {"type": "TC"}),
    (b"GH,000900,000910,000905,000899", {"type": "GH", "counts": [900, 910, 905, 899]}),
    (b"GL,000010,000012,000009,000011", {"type": "GL", "counts": [10, 12, 9, 11]}),
    (b"NH,30,28,31,29", {"type": "NH", "counts": [30, 28, 31, 29]}),
    (b"SG1,000300,000080,000005,000003,6.0,0",
     {"type": "SG1", "values": {"high_background_fault": 300, "low_background_fault": 80, "intervals": 5,
                                "occupancy_holdin": 3, "nsigma": 6.0}}),
    (b"SG2,4,0.080,3.000,000001,SUM,4.2.1",
     {"type": "SG2", "values": {"detectors": "4", "lower_discriminator": 0.08, "upper_discriminator": 3.0,
                                "relay_output": 1, "algorithm": "SUM", "software_version": "4.2.1"}}),
    (b"SN2,0.200,2.500,0.200,2.500",
     {"type": "SN2", "values": {"master_lower_discriminator": 0.2, "master_upper_discriminator": 2.5,
                                "slave_lower_discriminator": 0.2, "slave_upper_discriminator": 2.5}}),
    # liberal in the field count: more fields than OSCAR reads are ignored; spaces around a field too
    (b"GB,1,2,3,4,5,6,", {"type": "GB", "counts": [1, 2, 3, 4]}),
    (b"GB, 1 ,2,3 ,4", {"type": "GB", "counts": [1, 2, 3, 4]}),
    (b"SP,0.2240,04.5,07.2,000000", {"type": "SP", "seconds": 0.224, "mph": 4.5, "kmh": 7.2}),
])
def test_documented_lines(line, expected):
    assert parse_rpm_line(line) == expected


@pytest.mark.parametrize("line, why", [
    (b"GB,1,2,3", "GB needs 4 detector counts"),
    (b"GB,1,2,-3,4", "GB count is not a whole number"),
    (b"GB,1.5,2,3,4", "GB count is not a whole number"),
    (b"GB,1,2,,4", "GB count is not a whole number"),
    (b"GA,1,2,3,99999999", "GA count out of range"),
    (b"GB,1,2,3,1234567890", "GB count is not a whole number"),
    (b"gb,1,2,3,4", "unknown message"),
    (b"ZZ,1,2,3,4", "unknown message"),
    (b"GX", "GX needs the occupancy count"),
    (b"GX,", "GX occupancy count is not a whole number"),
    (b"GX,12,abc", "GX neutron background is not a number"),
    (b"SP,1,2", "SP needs a time, mph and km/h"),
    (b"SP,1,2,999", "SP speed out of range"),
    (b"SP,1,2,fast", "SP km/h is not a number"),
    (b"SG1,high", "SG1 high_background_fault is not a whole number"),
    (b"SG1", "SG1 has no values"),
    (b"GB,1,2,3,4\x00", "not printable ASCII"),
    (b"GB,1,2,3,\xb4", "not printable ASCII"),
])
def test_lines_that_are_not_the_protocol_are_refused_with_a_reason(line, why):
    with pytest.raises(RpmFormatError) as refused:
        parse_rpm_line(line)
    assert str(refused.value) == why


# ----- the fold, with a clock the test moves ---------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0
        self.start = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds - 1000.0)


@pytest.fixture
def fold():
    clock = Clock()
    readings: list[tuple[dict, bytes]] = []
    drops: list[tuple[str, bytes]] = []
    folder = OccupancyFold(lambda d, r: readings.append((d, r)), lambda why, raw: drops.append((why, raw)),
                           max_lines=50, max_seconds=60.0, monotonic=clock.monotonic, now=clock.now)

    def feed(*lines: bytes, every: float = 0.2) -> None:
        for line in lines:
            folder.feed(parse_rpm_line(line), line)
            clock.seconds += every
    return feed, readings, drops, clock


def test_background_at_most_every_five_seconds_while_empty(fold):
    feed, readings, _, _ = fold
    feed(*[b"GB,220,230,210,225", b"NB,1,0,2,1"] * 25)  # 10 s of lines, 200 ms apart
    backgrounds = [d for d, _ in readings]
    assert backgrounds == [{"phase": "background", "gamma_cps": [220, 230, 210, 225],
                            "neutron_counts": [1, 0, 2, 1]}] * 2
    assert readings[0][1] == b"GB,220,230,210,225\r\nNB,1,0,2,1"
    feed(b"GB,1,1,1,1")
    assert len(readings) == 2, "not again before 5 s"


def test_a_gamma_alarm_pass_becomes_one_occupancy_with_its_maxima(fold):
    feed, readings, drops, _ = fold
    feed(b"GB,250,250,250,250", b"NB,2,2,2,2")
    pass_lines = [b"GS,10,10,10,10", b"NS,0,1,0,0"] + [b"GS,10,10,10,10"] * 4 + [
        b"GA,60,10,10,10", b"NA,5,0,2,0", b"SP,1.1250,05.0,08.0", b"GX,000012,001500"]
    feed(*pass_lines)
    assert readings[1][0] == {"phase": "occupied", "started_at": "2026-03-02T10:05:00.400Z"}
    assert readings[1][1] == b"GS,10,10,10,10"
    occupancy, raw = readings[2]
    assert occupancy == {
        "phase": "occupancy", "occupancy": 12,
        "started_at": "2026-03-02T10:05:00.400Z", "ended_at": "2026-03-02T10:05:02.200Z",
        # 1 s of gamma lines (five 200 ms lines) as counts per second: 50 cps until the GA line's 60 counts
        "gamma": {"max_cps": [100, 50, 50, 50], "background_cps": [250, 250, 250, 250]},
        "neutron": {"max_counts": [5, 1, 2, 0], "background_counts": [2, 2, 2, 2]},
        "gamma_alarm": True, "neutron_alarm": True, "alarm": True, "speed_kmh": 8.0}
    assert raw == b"\r\n".join(pass_lines)
    assert drops == [] and len(readings) == 3


def test_a_clean_pass_without_speed(fold):
    feed, readings, _, _ = fold
    feed(b"NS,0,0,0,0", b"GS,40,41,42,43", b"GX,3")
    occupancy = readings[-1][0]
    assert occupancy["alarm"] is occupancy["gamma_alarm"] is occupancy["neutron_alarm"] is False
    assert occupancy["speed_kmh"] is None
    assert occupancy["gamma"] == {"max_cps": [200, 205, 210, 215], "background_cps": None}
    assert occupancy["neutron"]["background_counts"] is None


def test_background_comes_at_once_after_a_vehicle_when_both_lines_are_new(fold):
    feed, readings, _, _ = fold
    feed(b"GB,250,250,250,250", b"NB,2,2,2,2", b"GS,1,1,1,1", b"GX,1", b"GB,260,260,260,260")
    assert [d["phase"] for d, _ in readings] == ["background", "occupied", "occupancy"]
    feed(b"NB,3,3,3,3")
    assert readings[-1][0] == {"phase": "background", "gamma_cps": [260] * 4, "neutron_counts": [3] * 4}


def test_gx_without_an_occupancy_is_dropped(fold):
    feed, readings, drops, _ = fold
    feed(b"GX,4")
    assert readings == [] and drops == [("GX without an occupancy", b"GX,4")]


def test_an_occupancy_cut_short_by_background_is_abandoned_and_counted(fold):
    feed, readings, drops, _ = fold
    feed(b"GA,90,90,90,90", b"GB,250,250,250,250", b"GS,1,1,1,1", b"GX,9")
    assert drops == [("alarmed occupancy abandoned: background before GX", b"GA,90,90,90,90")]
    occupancy = readings[-1][0]
    assert occupancy["phase"] == "occupancy" and occupancy["gamma_alarm"] is False, "the next vehicle starts afresh"


def test_a_runaway_occupancy_is_bounded_by_lines(fold):
    feed, readings, drops, _ = fold
    feed(*[b"GS,1,1,1,1"] * 120, every=0.01)
    assert [why for why, _ in drops] == ["occupancy abandoned: more than 50 lines without GX"] * 2
    assert all(raw.count(b"\r\n") == 49 for _, raw in drops)
    assert [d["phase"] for d, _ in readings] == ["occupied"] * 3


def test_a_runaway_occupancy_is_bounded_by_time(fold):
    feed, readings, drops, clock = fold
    feed(b"NS,0,0,0,0")
    clock.seconds += 61
    feed(b"NS,0,0,0,0", b"GX,2")
    assert [why for why, _ in drops] == ["occupancy abandoned: no GX for 60 s"]
    assert readings[-1][0]["phase"] == "occupancy" and readings[-1][1] == b"NS,0,0,0,0\r\nGX,2"


# ----- fuzzing -----------------------------------------------------------------------------------
@given(st.binary(max_size=120))
def test_any_line_gives_a_message_or_a_refusal(line):
    try:
        message = parse_rpm_line(line)
    except RpmFormatError:
        return
    assert isinstance(message["type"], str)


@given(st.sampled_from(["GB", "NB", "GS", "GA", "NS", "NA", "GH", "GL", "NH"]),
       st.lists(st.integers(0, 10_000_000), min_size=4, max_size=4), st.integers(0, 8))
def test_counts_read_back_whatever_their_padding(head, counts, width):
    line = ",".join([head, *(f"{c:0{width}d}" for c in counts)]).encode()
    assert parse_rpm_line(line) == {"type": head, "counts": counts}


PASS = (b"GB,250,251,252,253\r\nNB,1,2,3,4\r\nGS,50,50,50,50\r\nNS,0,0,0,0\r\nGA,200,50,50,50\r\nNA,7,0,0,0\r\n"
        b"SP,1.1,5.0,8.0\r\nGX,000033,001000\r\nTT\r\n")


def _read_whole(chunks: list[bytes]) -> tuple[list[dict], RapiscanLinesMonitor]:
    """What a driver reads from ``chunks``, without the times the lane's clock gave it."""
    readings: list[dict] = []

    def timeless(data: dict, raw: bytes) -> None:
        readings.append({k: v for k, v in data.items() if k not in ("started_at", "ended_at")})
    driver = RapiscanLinesMonitor("loop://", on_reading=timeless, device_id="rpm-fuzz")
    for chunk in chunks:
        driver.handle_bytes(chunk)
    return readings, driver


@given(st.lists(st.binary(max_size=60), max_size=12))
def test_random_bytes_never_break_the_driver(chunks):
    _read_whole(chunks)


@given(st.lists(st.integers(1, len(PASS) - 1), max_size=10, unique=True))
def test_any_chunking_of_a_pass_gives_the_same_readings(cuts):
    bounds = [0, *sorted(cuts), len(PASS)]
    chunked, driver = _read_whole([PASS[a:b] for a, b in zip(bounds, bounds[1:])])
    whole, _ = _read_whole([PASS])
    assert chunked == whole and [d["phase"] for d in whole] == ["background", "occupied", "occupancy"]
    assert driver.counters.drops == 0 and driver.problems == {"TT": driver.problems["TT"]}


# ----- against the simulator, on a real pty and over real TCP ------------------------------------------
@pytest.fixture
def monitor(recorder, stop_later, tmp_path):
    def start(transport: str = "pty"):
        sim = RapiscanSimulator(seed=7)
        port = (PtyPort(sim, link=tmp_path / "by-id-rpm") if transport == "pty" else TcpPort(sim)).start()
        stop_later.append(port)
        driver = RapiscanLinesMonitor(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status,
                                      device_id="rpm-1")
        stop_later.append(driver)
        driver.start()
        wait_for(lambda: driver.state == "connected", message="connected")
        return sim, driver, port
    return start


@pytest.mark.parametrize("transport", ["pty", "tcp"])
def test_a_lorry_with_a_gamma_source_alarms(monitor, recorder, transport):
    sim, driver, port = monitor(transport)
    assert port.path.startswith("socket://127.0.0.1:" if transport == "tcp" else "/")
    background = wait_for(lambda: next((d for d in recorder.data() if d["phase"] == "background"), None),
                          message="the background")
    assert all(100 < c < 500 for c in background["gamma_cps"]) and all(c < 20 for c in background["neutron_counts"])
    sim.drive_vehicle("gamma", seconds=2.0, speed_kmh=9.5)
    occupied = reading_where(recorder, lambda d: d["phase"] == "occupied", "the vehicle's arrival")
    occupancy = reading_where(recorder, lambda d: d["phase"] == "occupancy", "the vehicle's occupancy")
    assert occupancy["started_at"] == occupied["started_at"] < occupancy["ended_at"]
    assert occupancy["gamma_alarm"] and occupancy["alarm"] and not occupancy["neutron_alarm"]
    assert occupancy["speed_kmh"] == 9.5 and occupancy["occupancy"] == 1
    assert max(occupancy["gamma"]["max_cps"]) > 2 * max(occupancy["gamma"]["background_cps"])
    raw = next(r for d, r in recorder.readings if d is occupancy)
    assert raw.startswith((b"GS,", b"GA,")) and raw.endswith(b"GX,000001,002000") and b"\r\nGA," in raw
    assert driver.counters.drops == 0


def test_a_neutron_source_and_a_clean_pass(monitor, recorder):
    sim, driver, _ = monitor()
    sim.drive_vehicle("neutron", seconds=1.0, speed_kmh=None)
    sim.drive_vehicle("clean", seconds=1.0)
    neutron = reading_where(recorder, lambda d: d["phase"] == "occupancy", "the neutron pass")
    assert neutron["neutron_alarm"] and not neutron["gamma_alarm"] and neutron["speed_kmh"] is None
    clean = reading_where(recorder, lambda d: d["phase"] == "occupancy", "the clean pass")
    assert clean["occupancy"] == neutron["occupancy"] + 1 and clean["alarm"] is False


def test_garbled_unknown_and_huge_lines_are_counted_and_reading_goes_on(monitor, recorder):
    sim, driver, _ = monitor()
    sim.send(b"\x00\xff\xfe garbage\r\n" + b"7" * 400 + b"\r\nQQ,1,2,3,4\r\nGS,1,2,3\r\n")
    sim.drive_vehicle("norm", seconds=1.0)
    occupancy = reading_where(recorder, lambda d: d["phase"] == "occupancy", "a pass after the garbage")
    assert occupancy["gamma_alarm"]
    reasons = driver.counters.drop_reasons
    assert reasons["not printable ASCII"] == 1 and reasons["line too long"] == 1
    assert reasons["unknown message"] == 1 and reasons["GS needs 4 detector counts"] == 1
    assert driver.state == "connected"


def test_tamper_and_faults_are_the_device_state(monitor, recorder):
    sim, driver, _ = monitor()
    sim.send_setup()
    wait_for(lambda: driver.identity.get("firmware_version") == "2.13", message="the setup lines")
    assert driver.identity == {"software_version": "4.2.1", "algorithm": "SUM", "firmware_version": "2.13"}
    sim.tamper()
    wait_for(lambda: driver.state == "error" and "tamper" in driver.state_detail, message="tamper")
    sim.clear_tamper()
    wait_for(lambda: driver.state == "connected", message="tamper cleared")
    sim.fault("GH")
    wait_for(lambda: driver.state_detail == "gamma background too high", message="the gamma fault")
    sim.clear_fault()
    wait_for(lambda: driver.state == "connected", message="the fault over")
    assert ("error", "gamma background too high") in recorder.statuses


def test_unplug_and_replug_reconnects(monitor, recorder):
    sim, driver, port = monitor()
    port.unplug()
    wait_for(lambda: driver.state == "disconnected", timeout=2.0, message="disconnected")
    port.replug()
    wait_for(lambda: driver.state == "connected", timeout=2.0, message="connected again")
    sim.drive_vehicle("clean", seconds=0.4)
    reading_where(recorder, lambda d: d["phase"] == "occupancy", "a pass after the return")
    assert driver.counters.reconnects == 1
