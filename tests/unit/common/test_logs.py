"""Lanebox's log lines: one per record, the journal's priority prefix under
systemd, and a garbling device on a real pty held to a bounded number of
lines while its drop counter counts every frame."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Iterator

import pytest

from common.logs import DEVICE_LIMIT, DeviceRateLimit, LogHandler
from drivers.base import SerialSettings
from drivers.etd_ascii import EtdAsciiDetector
from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import PtyPort
from tests.support.waiting import wait_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lines(clock: FakeClock) -> Iterator[io.StringIO]:
    """Everything the ``drivers`` and ``test`` loggers log, as lanebox writes it."""
    stream = io.StringIO()
    handler = LogHandler(stream, DeviceRateLimit(clock=clock))
    loggers = [logging.getLogger(name) for name in ("drivers", "test")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_a_garbling_device_is_held_to_its_limit_while_every_drop_is_counted(
        lines: io.StringIO, clock: FakeClock, stop_later: list) -> None:
    sim = EtdSimulator()
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = EtdAsciiDetector(port.path, SerialSettings(), device_id="etd-1")
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")

    for n in range(200):
        sim.send(f"garbage {n}\r\n".encode())
    wait_for(lambda: driver.counters.drops == 200, message="every garbled frame counted")
    written = lines.getvalue().splitlines()
    assert len(written) == DEVICE_LIMIT
    assert all(line.split()[2:5] == ["WARNING", "drivers.base:", "etd-1:"] for line in written)

    clock.now += 61  # the next minute: one line for what was left out, then the device's own
    sim.send(b"garbage again\r\n")
    wait_for(lambda: driver.counters.drops == 201, message="the next garbled frame counted")
    wait_for(lambda: len(lines.getvalue().splitlines()) == DEVICE_LIMIT + 2, message="two more lines")
    summary, latest = lines.getvalue().splitlines()[-2:]
    assert f"suppressed {200 - DEVICE_LIMIT} messages from device etd-1 in the last 60 s" in summary
    assert "dropped frame" in latest and "garbage again" in latest
    assert driver.counters.drop_reasons and sum(driver.counters.drop_reasons.values()) == 201


def test_each_device_has_its_own_limit_and_other_records_have_none(lines: io.StringIO) -> None:
    log = logging.getLogger("test.devices")
    for n in range(3 * DEVICE_LIMIT):
        log.warning("scale says %d", n, extra={"device": "scale-1"})
        log.warning("reader says %d", n, extra={"device": "reader-1"})
        log.warning("the hub says %d", n)
    written = lines.getvalue()
    assert written.count("scale says") == written.count("reader says") == DEVICE_LIMIT
    assert written.count("the hub says") == 3 * DEVICE_LIMIT


def test_a_traceback_stays_on_its_records_line(lines: io.StringIO) -> None:
    try:
        raise ValueError("bad frame\nsecond line")
    except ValueError:
        logging.getLogger("test.parser").exception("parser failed")
    written = lines.getvalue().splitlines()
    assert len(written) == 1
    assert "ERROR test.parser: parser failed\\nTraceback" in written[0]
    assert "bad frame\\nsecond line" in written[0]


def test_under_the_journal_lines_carry_their_priority_and_no_time(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with open(tmp_path / "journal", "w+") as stream:
        status = os.fstat(stream.fileno())
        record = logging.LogRecord("drivers.base", logging.WARNING, __file__, 1, "dropped", (), None)
        assert LogHandler(stream).format(record).endswith("WARNING drivers.base: dropped")
        assert not LogHandler(stream).format(record).startswith("<")
        monkeypatch.setenv("JOURNAL_STREAM", f"{status.st_dev}:{status.st_ino}")
        assert LogHandler(stream).format(record) == "<4>WARNING drivers.base: dropped"
        record.levelno, record.levelname = logging.INFO, "INFO"
        assert LogHandler(stream).format(record) == "<6>INFO drivers.base: dropped"
