"""Time as lanebox writes it: one form, ISO-8601 UTC with milliseconds and a Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from common.clock import iso_utc, parse_iso, utc_now_iso


def test_epoch_seconds_and_datetimes_are_written_alike() -> None:
    moment = datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)
    assert iso_utc(moment) == "2026-11-29T12:00:00.123Z"
    assert iso_utc(moment.timestamp()) == "2026-11-29T12:00:00.123Z"
    assert iso_utc(moment, "seconds") == "2026-11-29T12:00:00Z"


def test_another_offset_is_written_in_utc() -> None:
    east = datetime(2026, 11, 29, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert iso_utc(east) == "2026-11-29T12:00:00.000Z"


def test_written_times_sort_as_the_times_they_name() -> None:
    times = [1_700_000_000.0, 1_700_000_000.5, 1_700_000_009.999, 1_800_000_000.0]
    assert sorted(iso_utc(t) for t in reversed(times)) == [iso_utc(t) for t in times]


def test_now_round_trips() -> None:
    text = utc_now_iso()
    assert text.endswith("Z") and len(text) == len("2026-11-29T12:00:00.000Z")
    assert iso_utc(parse_iso(text)) == text


def test_parse_takes_z_an_offset_or_none_and_refuses_the_rest() -> None:
    assert parse_iso("2026-11-29T12:00:00Z") == datetime(2026, 11, 29, 12, tzinfo=UTC)
    assert parse_iso("2026-11-29T14:00:00+02:00") == datetime(2026, 11, 29, 12, tzinfo=UTC)
    assert parse_iso("2026-11-29T12:00:00").tzinfo is UTC
    with pytest.raises(ValueError):
        parse_iso("29/11/2026")
