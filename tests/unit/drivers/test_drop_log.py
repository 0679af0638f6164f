"""Garbage on the line fills neither the disk nor the log with personal data
(issue 12, item 10): two devices on real ptys pushed garbage as fast as the
line takes it, passport lines among it, log at most two lines each per
interval, without a byte of what they sent, while their counters count
every frame; the sum of an interval's drops is logged once it is over,
even when the garbage has stopped."""

from __future__ import annotations

import io
import logging
import threading
import time
from typing import Iterator

import pytest

from common.logs import LogHandler
from drivers.drop_log import MAX_REASONS, OTHER, DropLog, reason_label
from drivers.mrz_reader import MrzDocumentReader
from drivers.mt_sics import MtSicsScale
from drivers.simulators.mrz_reader import DocumentReaderSimulator
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from tests.support.clock import EpochClock
from tests.support.waiting import wait_for

#: a passport's machine-readable zone (ICAO 9303's specimen) and its pieces: none of it may reach the log
MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
GARBAGE = [f"{MRZ[0]}\r\n".encode(), f"{MRZ[1][:30]}\r\n".encode(), b"'ERIKSSON' \"ANNA\" \xff\x00\r\n",
           bytes(range(256)), b"S S      12.34 kg\r\nXX 'L898902C3'\r\n"]


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the drivers log, as lanebox writes it (the per-device rate limit included)."""
    stream = io.StringIO()
    handler = LogHandler(stream)
    logger = logging.getLogger("drivers")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_two_garbling_devices_log_a_few_lines_and_no_passport_data(lines: io.StringIO, stop_later: list) -> None:
    clock = EpochClock()
    sims = [MtSicsSimulator(), DocumentReaderSimulator()]
    drivers = []
    for sim, driver_class, device_id in zip(sims, (MtSicsScale, MrzDocumentReader), ("scale-1", "document-1")):
        port = PtyPort(sim).start()
        stop_later.append(port)
        driver = driver_class(port.path, device_id=device_id)
        driver.drop_log = DropLog(driver.log, device_id, driver.counters.drop_reasons, clock=clock)
        stop_later.append(driver)
        driver.start()
        wait_for(lambda: driver.state == "connected", message=f"{device_id} connected")
        drivers.append(driver)
    for driver in drivers:
        driver.counters.drops = 0
        driver.counters.drop_reasons.clear()
    before = lines.getvalue().count("\n")

    stop = threading.Event()

    def flood(sim) -> None:
        while not stop.is_set():
            for chunk in GARBAGE:
                sim.send(chunk)

    floods = [threading.Thread(target=flood, args=(sim,)) for sim in sims]
    for thread in floods:
        thread.start()
    time.sleep(2.0)  # a measured span of garbage, not a wait for a result
    stop.set()
    for thread in floods:
        thread.join()
    wait_for(lambda: all(d.counters.drops > 1000 for d in drivers), message="thousands of frames dropped")

    written = lines.getvalue().splitlines()[before:]
    assert len(written) <= 2 * len(drivers), written  # the first drop of each device (and no more)
    clock.now += 61  # the interval is over: each device sums up what it left out, while idle
    wait_for(lambda: lines.getvalue().count("more frames in the last 60 s") == len(drivers),
             message="one summing-up line per device")
    log = lines.getvalue()
    for driver in drivers:
        assert f"{driver.device_id}: dropped a " in log
        assert sum(driver.counters.drop_reasons.values()) == driver.counters.drops  # every frame counted
    for secret in ("ERIKSSON", "ANNA", "L898902C3", "UTO", "12.34"):
        assert secret not in log
        assert not any(secret in reason for d in drivers for reason in d.counters.drop_reasons)
    assert len(log.splitlines()) - before <= 4 * len(drivers)


def test_a_reason_quotes_no_device_text_and_their_number_is_bounded() -> None:
    assert reason_label("'ERIKSSON<<ANNA' is not a reply id") == "'…' is not a reply id"
    assert reason_label('unknown message "P<UTO" here') == "unknown message '…' here"
    assert reason_label("stray quote in 'L8989") == "stray quote in '…'"
    reasons: dict[str, int] = {}
    drops = DropLog(logging.LoggerAdapter(logging.getLogger("test.drops"), {}), "scale-1", reasons)
    for n in range(MAX_REASONS + 50):
        drops.note(f"checksum mismatch: got {n:#04x}", 17)
    assert len(reasons) == MAX_REASONS + 1 and reasons[OTHER] == 50
