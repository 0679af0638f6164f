"""The hub's roster merged into a lane's accounts: it governs only the
accounts it made. A lane's own account is never taken over by a hub user of
the same name, and a user taken out of the lane's scope at the hub is
disabled at the lane."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from common.accounts.passwords import PasswordHashing
from common.accounts.sessions import AuthFailed
from common.eventlog.store import EventStore
from edge.users import ROSTER_ACTOR, UserDirectory
from sync.roster import RosterUser
from tests.support.passwords import CHEAP

LANE = "GBDVR-IN-03"
LOCAL = "lane-own-pass-tulip-41"
HUB = "hub-given-pass-maple-72"
NOTHING = {"added": 0, "changed": 0, "disabled": 0, "refused": 0}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    with EventStore(tmp_path / "events.db", LANE) as opened:
        yield opened


@pytest.fixture
def users(store: EventStore) -> UserDirectory:
    directory = UserDirectory(store, hasher=CHEAP)
    directory.add("lana", "officer", LOCAL, actor="cli")  # the lane's own, by `lanebox users add`
    return directory


def hub_user(username: str, role: str = "officer", password: str = HUB, disabled: bool = False) -> RosterUser:
    return RosterUser(username, role, PasswordHashing(CHEAP).hash(password), disabled)


def user_events(store: EventStore) -> list[tuple[str, str, str | None]]:
    return [(e["type"], e["payload"]["username"], e["actor"]) for e in store.page(limit=1000)
            if e["type"].startswith("user.") and not e["type"].startswith("user.log")]


def test_a_lane_account_is_never_taken_over_by_a_hub_user_of_the_same_name(
        users: UserDirectory, store: EventStore) -> None:
    session = users.authenticate("lana", LOCAL, "tablet")
    counts = users.merge_roster([hub_user("lana", "supervisor")])
    assert counts == {**NOTHING, "refused": 1}
    assert users.check_token(session.token) is not None  # her session goes on
    assert users.authenticate("lana", LOCAL, "tablet").role == "officer"
    with pytest.raises(AuthFailed):
        users.authenticate("lana", HUB, "tablet")
    assert users.merge_roster([hub_user("lana", "supervisor")]) == {**NOTHING, "refused": 1}
    refusals = [e for e in store.page(limit=1000) if e["type"] == "user.roster_refused"]
    assert [(e["actor"], e["payload"]["username"]) for e in refusals] == [(ROSTER_ACTOR, "lana")]  # once
    assert "a lane account of this name exists" in refusals[0]["payload"]["reason"]


def test_the_roster_still_governs_the_accounts_it_made(users: UserDirectory, store: EventStore) -> None:
    assert users.merge_roster([hub_user("olga")]) == {**NOTHING, "added": 1}
    session = users.authenticate("olga", HUB, "tablet")
    assert users.merge_roster([hub_user("olga", "technician", "hub-renewed-pass-cedar-9")]) == {**NOTHING, "changed": 1}
    assert users.check_token(session.token) is None
    assert users.authenticate("olga", "hub-renewed-pass-cedar-9", "tablet").role == "technician"
    same = hub_user("olga", "technician", "hub-renewed-pass-cedar-9")
    users.merge_roster([same])
    before = len(store.page(limit=1000))
    assert users.merge_roster([same]) == NOTHING
    assert len(store.page(limit=1000)) == before  # an unchanged roster writes nothing
    assert store.verify().ok


def test_a_user_the_hub_takes_out_of_this_lanes_scope_is_disabled_and_comes_back_with_it(
        users: UserDirectory, store: EventStore) -> None:
    olga, sam = hub_user("olga"), hub_user("sam")
    users.merge_roster([olga, sam])
    session = users.authenticate("sam", HUB, "tablet")
    assert users.merge_roster([olga]) == {**NOTHING, "disabled": 1}  # sam scoped away from this lane
    assert users.check_token(session.token) is None
    assert {u["username"]: u["disabled"] for u in users.list()} == {"lana": False, "olga": False, "sam": True}
    assert users.merge_roster([olga, sam]) == {**NOTHING, "changed": 1}  # back in scope
    assert users.authenticate("sam", HUB, "tablet").role == "officer"
    assert user_events(store)[-2:] == [("user.disabled", "sam", ROSTER_ACTOR), ("user.enabled", "sam", ROSTER_ACTOR)]


def test_the_roster_re_enables_only_whom_it_disabled(users: UserDirectory, store: EventStore) -> None:
    olga, sam = hub_user("olga"), hub_user("sam")
    users.merge_roster([olga, sam])
    users.disable("sam", actor="sue")  # a lane supervisor's decision
    assert users.merge_roster([RosterUser(**{**olga.__dict__, "disabled": True}), sam])["disabled"] == 1
    users.merge_roster([olga, sam])  # the hub enables both
    assert {u["username"]: u["disabled"] for u in users.list()} == {"lana": False, "olga": False, "sam": True}
    assert user_events(store)[-3:] == [
        ("user.disabled", "sam", "sue"), ("user.disabled", "olga", ROSTER_ACTOR),
        ("user.enabled", "olga", ROSTER_ACTOR)]


def test_a_user_disabled_at_the_hub_is_not_added(users: UserDirectory) -> None:
    assert users.merge_roster([hub_user("gone", disabled=True)]) == NOTHING
    assert [u["username"] for u in users.list()] == ["lana"]
