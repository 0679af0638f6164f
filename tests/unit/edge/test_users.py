"""Users and sessions on a real store: accounts, argon2 hashes, sign-in,
throttling and token expiry under an injected clock, and the events."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from argon2 import PasswordHasher

from common.accounts.sessions import AuthFailed, Throttled, UnknownUser, UserExists
from common.eventlog.store import EventStore
from edge.users import UserDirectory
from tests.support.clock import EpochClock

LANE = "GBDVR-IN-03"
PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> EpochClock:
    return EpochClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    with EventStore(tmp_path / "events.db", LANE) as opened:
        yield opened


@pytest.fixture
def users(store: EventStore, clock: EpochClock) -> UserDirectory:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    directory = UserDirectory(store, token_ttl_s=3600, clock=clock, hasher=cheap)
    directory.add("olga", "officer", PASSWORD, actor="sue")
    return directory


def events_of(store: EventStore, prefix: str = "user.") -> list[dict]:
    return [e for e in store.page(limit=1000) if e["type"].startswith(prefix)]


def test_add_and_list(users: UserDirectory) -> None:
    users.add("tom.w", "technician", "another password")
    assert [(u["username"], u["role"], u["disabled"]) for u in users.list()] == \
        [("olga", "officer", False), ("tom.w", "technician", False)]
    assert all(set(u) == {"username", "role", "disabled", "created_at"} for u in users.list())


@pytest.mark.parametrize("username,role,password,words", [
    ("O", "officer", PASSWORD, "username"),
    ("olga smith", "officer", PASSWORD, "username"),
    ("x" * 33, "officer", PASSWORD, "username"),
    ("ann", "admin", PASSWORD, "role"),
    ("ann", "officer", "short", "password"),
])
def test_bad_accounts_are_refused(users: UserDirectory, username: str, role: str,
                                  password: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        users.add(username, role, password)


def test_a_duplicate_is_refused(users: UserDirectory) -> None:
    with pytest.raises(UserExists):
        users.add("olga", "viewer", "whatever-password")


def test_only_an_argon2id_hash_is_stored(users: UserDirectory, store: EventStore,
                                         tmp_path: Path) -> None:
    stored = store.query("SELECT password_hash FROM users")[0]["password_hash"]
    assert stored.startswith("$argon2id$")
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("events.db*"))
    assert PASSWORD.encode() not in on_disk


def test_sign_in_gives_a_token_that_is_stored_only_as_its_hash(users: UserDirectory,
                                                               store: EventStore) -> None:
    session = users.authenticate("olga", PASSWORD, "10.0.0.7")
    assert (session.username, session.role) == ("olga", "officer")
    assert len(session.token) >= 40
    assert users.check_token(session.token) == session
    rows = store.query("SELECT token_hash FROM sessions")
    assert rows == [{"token_hash": hashlib.sha256(session.token.encode()).hexdigest()}]
    assert users.check_token("made-up") is None
    login = events_of(store, "user.login")[-1]
    assert (login["type"], login["payload"], login["actor"]) == \
        ("user.login", {"username": "olga", "role": "officer", "remote": "10.0.0.7"}, "olga")


@pytest.mark.parametrize("username,password,reason", [
    ("olga", "wrong password", "bad_password"),
    ("nobody", PASSWORD, "unknown_user"),
    ("olga", None, "bad_password"),
])
def test_failed_sign_ins_are_tallied_and_written_as_one_event(users: UserDirectory, store: EventStore,
                                                              username: str, password: str, reason: str) -> None:
    for _ in range(2):
        with pytest.raises(AuthFailed):
            users.authenticate(username, password, "10.0.0.7")
    assert events_of(store, "user.login_fail") == []  # nobody grows the log by failing to sign in
    users.stop()  # the window ends (every few minutes, and at stop)
    [summary] = [e["payload"] for e in events_of(store, "user.login_failures")]
    assert summary["count"] == 2 and [(row["username"], row["remote"], row["reasons"]) for row in summary["pairs"]] \
        == [(username, "10.0.0.7", {reason: 2})]


def test_failed_logins_back_off_exponentially(users: UserDirectory, store: EventStore,
                                              clock: EpochClock) -> None:
    for _ in range(3):
        with pytest.raises(AuthFailed):
            users.authenticate("olga", "wrong password", "10.0.0.7")
    for delay in (1, 2, 4, 8):
        with pytest.raises(Throttled) as throttled:  # even the right password is not checked
            users.authenticate("olga", PASSWORD, "10.0.0.7")
        assert throttled.value.retry_after == pytest.approx(delay)
        clock.now += delay
        with pytest.raises(AuthFailed):
            users.authenticate("olga", "wrong password", "10.0.0.7")
    users.stop()
    [summary] = [e["payload"] for e in events_of(store, "user.login_failures")]
    assert summary["pairs"][0]["reasons"] == {"bad_password": 3 + 4, "throttled": 4}
    clock.now += 16
    assert users.authenticate("olga", PASSWORD, "10.0.0.7").username == "olga"
    with pytest.raises(AuthFailed):  # a success starts the count afresh
        users.authenticate("olga", "wrong password", "10.0.0.7")


def test_one_address_trying_many_names_is_slowed_too(users: UserDirectory) -> None:
    for name in ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon"):
        with pytest.raises(AuthFailed):
            users.authenticate(name, "guess-guess", "10.6.6.6")
    with pytest.raises(Throttled):
        users.authenticate("olga", PASSWORD, "10.6.6.6")
    assert users.authenticate("olga", PASSWORD, "10.0.0.7").username == "olga"


def test_tokens_expire(users: UserDirectory, clock: EpochClock) -> None:
    session = users.authenticate("olga", PASSWORD, "10.0.0.7")
    clock.now += 3599
    assert users.check_token(session.token) is not None
    clock.now += 1
    assert users.check_token(session.token) is None


def test_disable_ends_sessions_and_sign_ins(users: UserDirectory, store: EventStore) -> None:
    session = users.authenticate("olga", PASSWORD, "10.0.0.7")
    assert users.disable("olga", actor="sue") is True
    assert users.disable("olga", actor="sue") is False
    assert users.check_token(session.token) is None
    assert users.list()[0]["disabled"] is True
    with pytest.raises(AuthFailed):
        users.authenticate("olga", PASSWORD, "10.0.0.8")
    users.stop()
    assert events_of(store, "user.login_failures")[-1]["payload"]["pairs"][0]["reasons"] == {"disabled": 1}
    with pytest.raises(UnknownUser):
        users.disable("nobody", actor="sue")


def test_logout_and_password_change_end_sessions(users: UserDirectory) -> None:
    first = users.authenticate("olga", PASSWORD, "10.0.0.7")
    second = users.authenticate("olga", PASSWORD, "10.0.0.7")
    assert users.logout(first.token) is True and users.logout(first.token) is False
    assert users.check_token(first.token) is None and users.check_token(second.token)
    users.set_password("olga", "a brand new one", actor="olga")
    assert users.check_token(second.token) is None
    with pytest.raises(AuthFailed):
        users.authenticate("olga", PASSWORD, "10.0.0.9")
    assert users.authenticate("olga", "a brand new one", "10.0.0.9").username == "olga"


def test_every_change_is_an_event_without_secrets(users: UserDirectory, store: EventStore,
                                                  tmp_path: Path) -> None:
    session = users.authenticate("olga", PASSWORD, "10.0.0.7")
    users.logout(session.token)
    users.set_password("olga", "a brand new one", actor="sue")
    users.disable("olga", actor="sue")
    events = events_of(store)
    assert [(e["type"], e["actor"]) for e in events] == [
        ("user.added", "sue"), ("user.login", "olga"), ("user.logout", "olga"),
        ("user.password_changed", "sue"), ("user.disabled", "sue")]
    assert events[0]["payload"] == {"username": "olga", "role": "officer"}
    raw = sqlite3.connect(tmp_path / "events.db")
    hashes = [row[0] for row in raw.execute("SELECT password_hash FROM users")]
    payloads = " ".join(row[0] for row in raw.execute("SELECT payload FROM events"))
    for secret in (PASSWORD, "a brand new one", session.token, *hashes, "argon2"):
        assert secret not in payloads
    assert store.verify().ok


def test_a_directory_can_be_made_before_the_store_starts(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "late.db", LANE)
    users = UserDirectory(store, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                       parallelism=1))
    with store:
        users.add("ann", "viewer", PASSWORD)
        assert users.authenticate("ann", PASSWORD, "127.0.0.1").role == "viewer"
