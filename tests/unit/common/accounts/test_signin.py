"""The sign-in steps lane and hub share: throttle first, the same argon2 work
for every answer, a refusal reason for the record, roles a place admits."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from common.accounts.sessions import AuthFailed, Throttled
from common.accounts.signin import Account, SignInCheck
from common.roles import BOARD_ROLES
from tests.support.clock import EpochClock
from tests.support.passwords import CHEAP

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts() -> dict[str, Account]:
    hashed = CHEAP.hash(PASSWORD)
    return {"olga": Account("officer", hashed, False), "carol": Account("supervisor", hashed, False),
            "sam": Account("officer", hashed, True)}


def check_with(accounts: dict[str, Account], **options: object) -> tuple[SignInCheck, list[tuple[str, str, str]]]:
    refused: list[tuple[str, str, str]] = []
    check = SignInCheck(accounts.get, refused=lambda *r: refused.append(r), hasher=CHEAP, **options)  # type: ignore
    return check, refused


def test_a_right_password_signs_in_with_the_accounts_role(accounts: dict[str, Account]) -> None:
    check, refused = check_with(accounts)
    signed_in = check.check("  Olga ", PASSWORD, "10.0.0.7")
    assert (signed_in.username, signed_in.role, signed_in.remote, signed_in.rehash) == ("olga", "officer",
                                                                                       "10.0.0.7", None)
    assert refused == []


@pytest.mark.parametrize("username, password, reason", [
    ("nobody", PASSWORD, "unknown_user"), ("sam", PASSWORD, "disabled"), ("olga", "wrong one!", "bad_password"),
    ("olga", None, "bad_password"), ("olga", "x" * 5000, "bad_password"), (None, PASSWORD, "unknown_user"),
])
def test_every_refusal_is_the_same_answer_with_its_reason_recorded(accounts: dict[str, Account], username: object,
                                                                   password: object, reason: str) -> None:
    check, refused = check_with(accounts)
    checked: list[str] = []
    verify = check.passwords.verify
    check.passwords.verify = lambda stored, given: checked.append(stored) or verify(stored, given)  # type: ignore
    with pytest.raises(AuthFailed, match="wrong username or password"):
        check.check(username, password, "10.0.0.7")
    assert [r[2] for r in refused] == [reason]
    assert len(checked) == 1  # one argon2 check whatever the reason: an unknown name takes as long


def test_a_place_admits_only_its_roles(accounts: dict[str, Account]) -> None:
    board, refused = check_with(accounts, roles=BOARD_ROLES)
    assert board.check("carol", PASSWORD, "desk").role == "supervisor"
    with pytest.raises(AuthFailed):
        board.check("olga", PASSWORD, "desk")
    assert refused == [("olga", "desk", "not_allowed")]


def test_repeated_failures_are_throttled_without_checking_the_password(accounts: dict[str, Account]) -> None:
    clock = EpochClock()
    check, refused = check_with(accounts, clock=clock)
    for _ in range(3):
        with pytest.raises(AuthFailed):
            check.check("olga", "wrong one!", "10.0.0.7")
    with pytest.raises(Throttled) as throttled:
        check.check("olga", PASSWORD, "10.0.0.7")  # the right password, but too soon
    assert throttled.value.retry_after == 1.0 and refused[-1][2] == "throttled"
    clock.now += 1.0
    assert check.check("olga", PASSWORD, "10.0.0.7").username == "olga"


def test_an_out_of_date_hash_is_renewed_only_where_asked(accounts: dict[str, Account]) -> None:
    old = Account("officer", PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD), False)
    accounts["olga"] = old
    lane, _ = check_with(accounts, rehash=True)
    renewed = lane.check("olga", PASSWORD, "tablet").rehash
    assert renewed is not None and CHEAP.verify(renewed, PASSWORD) and not CHEAP.check_needs_rehash(renewed)
    hub, _ = check_with(accounts)
    assert hub.check("olga", PASSWORD, "desk").rehash is None


def test_the_wait_after_failures_runs_from_the_answer_not_the_question(accounts: dict[str, Account]) -> None:
    """On a busy box the hash takes most of a second: a wait counted from when the attempt came in
    would be over by the time its answer went out (the hub workers' test met it on CI)."""
    clock = EpochClock()
    check, _ = check_with(accounts, clock=clock)
    verify = check.passwords.verify

    def slow_verify(stored: str, given: str) -> bool:
        clock.now += 0.9  # the hash's time on a busy box
        return verify(stored, given)

    check.passwords.verify = slow_verify  # type: ignore[method-assign]
    for _ in range(3):  # the pair's three free failures
        with pytest.raises(AuthFailed):
            check.check("olga", "wrong one!", "10.0.0.7")
    clock.now += 0.5  # the next attempt, half a second after the third answer
    with pytest.raises(Throttled):
        check.check("olga", PASSWORD, "10.0.0.7")
