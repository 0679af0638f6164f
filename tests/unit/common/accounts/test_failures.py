"""Failed sign-ins become one bounded summary per window, not one record per attempt."""

from __future__ import annotations

from typing import Any

from common.accounts.failures import FailedSignInLog, FailedSignIns
from tests.support.clock import EpochClock


def test_three_thousand_failures_make_one_summary_that_says_who_from_where_and_how_often() -> None:
    clock = EpochClock()
    tally = FailedSignIns(clock)
    for n in range(3000):
        clock.now += 0.01
        tally.record("olga", "10.6.6.6", "bad_password" if n < 5 else "throttled")
    tally.record("nobody", "10.0.0.9", "unknown_user")
    summary = tally.take()
    assert summary is not None and summary["count"] == 3001 and summary["others"] == 0
    olga, nobody = summary["pairs"]
    assert (olga["username"], olga["remote"], olga["count"]) == ("olga", "10.6.6.6", 3000)
    assert olga["reasons"] == {"bad_password": 5, "throttled": 2995}
    assert olga["first"] < olga["last"] and summary["from"] == olga["first"]
    assert (nobody["username"], nobody["reasons"]) == ("nobody", {"unknown_user": 1})
    assert tally.take() is None  # a new window, and nothing failed in it


def test_made_up_usernames_cannot_grow_the_summary_without_bound() -> None:
    tally = FailedSignIns(EpochClock(), max_pairs=50)
    for n in range(10_000):
        tally.record(f"user{n}", "10.6.6.6", "unknown_user")
    summary = tally.take()
    assert summary is not None
    assert len(summary["pairs"]) == 50 and summary["others"] == 9_950 and summary["count"] == 10_000


def test_the_log_writes_a_window_only_when_something_failed_and_at_stop() -> None:
    written: list[dict[str, Any]] = []
    tally = FailedSignIns(EpochClock())
    log = FailedSignInLog(tally, written.append, interval_s=3600)
    log.start()
    log.flush()
    assert written == []
    tally.record("olga", "10.0.0.7", "bad_password")
    log.stop()
    assert [row["username"] for summary in written for row in summary["pairs"]] == ["olga"]
