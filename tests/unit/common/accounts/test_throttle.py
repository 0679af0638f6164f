"""The sign-in throttle: it slows guessing down, and cannot be turned into a lockout."""

from __future__ import annotations

from common.accounts.throttle import FORGET_AFTER_S, LoginThrottle, MemoryBook


def fail(throttle: LoginThrottle, times: int, user: str, address: str, now: float = 0.0) -> None:
    for _ in range(times):
        throttle.failed(user, address, now)


def test_guessing_one_account_from_one_address_backs_off_up_to_a_minute_then_is_forgotten() -> None:
    throttle = LoginThrottle()
    fail(throttle, 2, "olga", "10.0.0.7")
    assert throttle.retry_after("olga", "10.0.0.7", 0.0) == 0.0  # two slips are free
    fail(throttle, 1, "olga", "10.0.0.7")
    assert throttle.retry_after("olga", "10.0.0.7", 0.0) == 1.0
    fail(throttle, 30, "olga", "10.0.0.7")
    assert throttle.retry_after("olga", "10.0.0.7", 0.0) == 60.0
    assert throttle.retry_after("olga", "10.0.0.7", FORGET_AFTER_S + 1) == 0.0
    fail(throttle, 1, "olga", "10.0.0.7", FORGET_AFTER_S + 1)
    assert throttle.retry_after("olga", "10.0.0.7", FORGET_AFTER_S + 1) == 0.0  # counting starts afresh


def test_failures_from_one_address_never_keep_the_owner_out_for_long_elsewhere() -> None:
    throttle = LoginThrottle()
    fail(throttle, 500, "olga", "10.0.0.66")  # someone hammering olga from one tablet
    assert throttle.retry_after("olga", "10.0.0.66", 0.0) == 60.0
    assert throttle.retry_after("olga", "10.0.0.7", 0.0) <= 5.0  # olga at her own tablet
    assert throttle.retry_after("olga", "10.0.0.7", 5.0) == 0.0
    assert throttle.retry_after("marek", "10.0.0.7", 0.0) == 0.0


def test_spraying_many_accounts_from_one_address_backs_that_address_off() -> None:
    throttle = LoginThrottle()
    for n in range(10):
        throttle.failed(f"user{n}", "10.0.0.66", 0.0)
    assert throttle.retry_after("someone-new", "10.0.0.66", 0.0) == 1.0
    assert throttle.retry_after("someone-new", "10.0.0.7", 0.0) == 0.0


def test_a_good_sign_in_clears_its_account_but_not_a_spray_from_its_address() -> None:
    throttle = LoginThrottle()
    for n in range(12):
        throttle.failed(f"user{n}", "10.0.0.66", 0.0)
    fail(throttle, 3, "olga", "10.0.0.66")
    throttle.succeeded("olga", "10.0.0.66")  # an insider's own account, from the same tablet
    assert throttle.retry_after("user0", "10.0.0.66", 0.0) > 0.0
    assert throttle.retry_after("olga", "10.0.0.7", 0.0) == 0.0


def test_the_memory_book_forgets_the_oldest_keys_beyond_its_bound() -> None:
    book = MemoryBook(max_keys=3)
    for n in range(5):
        book.add_failure(f"k{n}", 0.0, FORGET_AFTER_S)
    assert book.failures("k0") is None and book.failures("k4") == (1, 0.0)
