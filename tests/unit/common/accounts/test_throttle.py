"""The sign-in throttle: back-off capped, and forgotten after a quiet spell."""

from __future__ import annotations

from common.accounts.throttle import LoginThrottle


def test_the_back_off_is_capped_and_forgotten() -> None:
    throttle = LoginThrottle(forget_after_s=900)
    for n in range(20):
        throttle.failed("k", 0.0)
    assert throttle.retry_after("k", 0.0) == 60.0
    assert throttle.retry_after("k", 901.0) == 0.0
    throttle.failed("k", 901.0)
    assert throttle.retry_after("k", 901.0) == 0.0  # one failure after forgetting is free
