"""Lanebox's log lines: one per record, the journal's priority prefix under
systemd, and device records held to a bounded number of lines per device
(a garbling device on real ptys: tests/unit/drivers/test_drop_log.py)."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Iterator

import pytest

from common.logs import DEVICE_LIMIT, DeviceRateLimit, LogHandler
from tests.support.clock import EpochClock


@pytest.fixture
def clock() -> EpochClock:
    return EpochClock()


@pytest.fixture
def lines(clock: EpochClock) -> Iterator[io.StringIO]:
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


def test_a_device_over_its_limit_is_summed_up_in_its_next_window(lines: io.StringIO, clock: EpochClock) -> None:
    """The backstop behind every device record (a driver's own drop lines are
    fewer still: tests/unit/drivers/test_drop_log.py)."""
    log = logging.getLogger("test.devices")
    for n in range(200):
        log.warning("etd-1: status %d", n, extra={"device": "etd-1"})
    assert len(lines.getvalue().splitlines()) == DEVICE_LIMIT

    clock.now += 61  # the next minute: one line for what was left out, then the device's own
    log.warning("etd-1: status again", extra={"device": "etd-1"})
    summary, latest = lines.getvalue().splitlines()[-2:]
    assert f"suppressed {200 - DEVICE_LIMIT} messages from device etd-1 in the last 60 s" in summary
    assert latest.endswith("etd-1: status again")


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
