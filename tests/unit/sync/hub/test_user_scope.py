"""Hub users' lane scope: a lane's roster carries only the users scoped to
it, each in its lane role. A board supervisor is not a lane supervisor."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from common.accounts.sessions import UnknownUser
from common.eventlog.migrations import migrate
from sync.hub.migrations import sqlite_migrations
from sync.hub.store import HubStore
from sync.hub.users import HubUsers
from tests.support.hub_rig import HUB_ID, LANE, InProcessHub

OTHER = "OTHER-IN-02"
HASH = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


def roster(users: HubUsers, lane: str = LANE) -> dict[str, str]:
    return {user["username"]: user["role"] for user in users.roster(lane)}


def test_board_users_are_at_no_lane_and_officers_at_every_lane_until_scoped(hub: InProcessHub) -> None:
    users = hub.hub.users
    users.add("carol", "supervisor", "carol teal kite signal")
    users.add("vera", "viewer", "vera board only lantern")
    users.add("olga", "officer", "olga amber kettle")
    users.add("tom", "technician", "tom copper lantern")
    assert roster(users) == roster(users, OTHER) == {"olga": "officer", "tom": "technician"}

    users.scope("carol", "officer", [LANE])  # an officer at one lane, a supervisor on the board
    users.scope("tom", "technician", [OTHER])
    assert roster(users) == {"carol": "officer", "olga": "officer"}
    assert roster(users, OTHER) == {"olga": "officer", "tom": "technician"}
    assert {u["username"]: (u["role"], u["lane_role"], u["lanes"]) for u in users.list()} == {
        "carol": ("supervisor", "officer", [LANE]), "olga": ("officer", "officer", None),
        "tom": ("technician", "technician", [OTHER]), "vera": ("viewer", None, None)}
    users.scope("olga", None, None)  # at no lane any more
    assert roster(users) == {"carol": "officer"}
    assert all("password_hash" not in u for u in users.list())


@pytest.mark.parametrize("lane_role,lanes,words", [
    ("root", None, "not one of"), ("officer", [], "at least one lane"), ("officer", ["no such lane"], "letters")])
def test_a_bad_scope_is_refused_and_changes_nothing(hub: InProcessHub, lane_role, lanes, words) -> None:
    hub.hub.users.add("olga", "officer", "olga amber kettle")
    with pytest.raises(ValueError, match=words):
        hub.hub.users.scope("olga", lane_role, lanes)
    with pytest.raises(UnknownUser):
        hub.hub.users.scope("nobody", "officer", None)
    assert roster(hub.hub.users) == {"olga": "officer"}


def test_a_hub_made_before_scopes_keeps_its_officers_at_the_lanes_and_its_board_users_off_them(
        tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    migrate(conn, path, sqlite_migrations()[:3])  # the schema hubs ran before lane scopes
    for name, role in (("olga", "officer"), ("tom", "technician"), ("carol", "supervisor"), ("vera", "viewer")):
        conn.execute("INSERT INTO hub_users VALUES (?, ?, ?, 0, 'then', 'then')", (name, role, HASH))
    conn.execute("COMMIT")
    conn.close()
    with HubStore(path, HUB_ID) as store:
        assert roster(HubUsers(store)) == {"olga": "officer", "tom": "technician"}
