"""The hub's roster as a lane checks it: every bad entry named before anything is merged."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from sync.roster import parse_roster
from tests.support.passwords import CHEAP

PASSWORD = "correct horse battery"


@pytest.mark.parametrize("change,words", [
    ({"role": "root"}, "users[0].role"),
    ({"username": "Bad Name"}, "users[0].username"),
    ({"password_hash": "plain-text"}, "users[0].password_hash: not an argon2id hash"),
    ({"password_hash": PasswordHasher(type=Type.I).hash("x")}, "not an argon2id hash"),
    ({"disabled": "no"}, "users[0].disabled"),
])
def test_a_bad_roster_entry_is_named(change: dict, words: str) -> None:
    entry = {"username": "olga", "role": "officer", "password_hash": CHEAP.hash(PASSWORD), "disabled": False}
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_roster({"users": [{**entry, **change}]})
    with pytest.raises(ValueError, match="listed twice"):
        parse_roster({"users": [entry, entry]})
    with pytest.raises(ValueError, match="no list of users"):
        parse_roster([entry])
