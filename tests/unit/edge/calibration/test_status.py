"""Calibration state from records and the configured interval."""

from __future__ import annotations

from datetime import datetime, timezone

from edge.calibration.status import calibration_status, describe

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def record(at: str, passed: bool = True, due_at: str | None = None) -> dict:
    return {"id": f"cal-{at}", "at": at, "kind": "oiml-r76", "passed": passed, "due_at": due_at}


def test_no_records():
    assert calibration_status([], None, NOW)["status"] == "unknown"
    assert calibration_status([], 180, NOW)["status"] == "due"


def test_a_pass_within_the_interval_is_ok_and_says_when_it_is_due():
    status = calibration_status([record("2026-11-01T08:00:00.000Z")], 30, NOW)
    assert status["status"] == "ok" and status["due_at"] == "2026-12-01T08:00:00Z"
    assert status["last"]["passed"] is True


def test_overdue_and_the_boundary():
    assert calibration_status([record("2026-10-29T12:00:00.000Z")], 30, NOW)["status"] == "due"  # exactly due
    assert calibration_status([record("2026-10-29T12:00:01.000Z")], 30, NOW)["status"] == "ok"


def test_the_last_record_decides_and_a_failure_is_failed():
    records = [record("2026-11-01T08:00:00.000Z"), record("2026-11-20T08:00:00.000Z", passed=False)]
    assert calibration_status(records, 30, NOW)["status"] == "failed"
    records.append(record("2026-11-21T08:00:00.000Z"))
    assert calibration_status(records, 30, NOW)["status"] == "ok"


def test_a_due_date_in_the_record_wins_over_the_interval():
    status = calibration_status([record("2026-11-01T08:00:00.000Z", due_at="2026-11-15T00:00:00Z")], 365, NOW)
    assert status["status"] == "due" and status["due_at"] == "2026-11-15T00:00:00Z"


def test_an_interval_due_date_is_to_the_second_and_said_in_words():
    status = calibration_status([record("2026-10-01T08:00:00.590Z")], 30, NOW)
    assert status["due_at"] == "2026-10-31T08:00:00Z"
    assert describe(status) == "calibration overdue since 2026-10-31 08:00 UTC"
    assert describe({"status": "failed", "due_at": None}) == "calibration failed"
    assert describe(calibration_status([], 30, NOW)) == "calibration due"


def test_a_failed_daily_check_is_called_a_failed_verification_not_a_failed_calibration():
    failed = {"status": "failed", "due_at": None, "last": {"kind": "etd-daily", "passed": False}}
    assert describe(failed) == "daily verification failed"
    overdue = {"status": "due", "due_at": "2026-11-02T06:00:00Z", "last": {"kind": "etd-daily", "passed": True}}
    assert describe(overdue) == "daily verification overdue since 2026-11-02 06:00 UTC"
    reader = {"status": "failed", "due_at": None, "last": {"kind": "reader-functional"}}
    assert describe(reader) == "reader check failed"
