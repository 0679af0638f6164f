"""The user roster down: hub users become lane users, as events by
``hub-roster``, pulled by ETag; the lane keeps its accounts when the hub is
away, and merges a roster whole or not at all."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Iterator

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from common.eventlog.store import EventStore
from edge.users import ROSTER_ACTOR, AuthFailed, UserDirectory
from sync.hub.identity import HubIdentity
from sync.identity import SIGNATURE_HEADER, parse_key
from sync.lane.etag_puller import REJECTED, STORED, UNCHANGED, UNREACHABLE
from sync.lane.roster_puller import RosterPuller
from sync.lane.upstream import Upstream, make_upstream
from sync.protocol import identity_path
from tests.support.hub_rig import LANE, InProcessHub


@pytest.fixture
def lane_users(lane_store: EventStore) -> UserDirectory:
    return UserDirectory(lane_store)


def user_events(store: EventStore) -> list[tuple[str, str, str | None]]:
    return [(e["type"], e["payload"]["username"], e["actor"])
            for e in store.page(limit=1000) if e["type"].startswith("user.") and e["type"] != "user.login"]


def test_hub_users_are_merged_as_events_pulled_by_etag_and_kept_when_the_hub_is_away(
        tmp_path: Path, lane_store: EventStore, lane_users: UserDirectory) -> None:
    hub = InProcessHub(tmp_path / "hub")
    token = hub.store.add_lane(LANE)
    lane_users.add("lana", "supervisor", "lana local plum ferry", actor=None)  # the lane's own user
    puller = RosterPuller(lane_users.merge_roster, LANE, hub.upstream(), token)
    try:
        hub.hub.users.add("olga", "officer", "olga amber kettle")
        hub.hub.users.add("carol", "supervisor", "carol teal kite signal")
        hub.hub.users.add("vera", "viewer", "vera board only lantern")  # on the board, at no lane
        hub.hub.users.scope("carol", "supervisor", [LANE, "OTHER-IN-02"])  # a supervisor at these lanes too
        assert puller.pull() == STORED
        assert puller.pull() == UNCHANGED  # the same roster: a 304
        session = lane_users.authenticate("olga", "olga amber kettle", "tablet")
        assert session.role == "officer"
        assert {u["username"]: u["role"] for u in lane_users.list()} == {
            "carol": "supervisor", "lana": "supervisor", "olga": "officer"}

        hub.hub.users.disable("olga")
        assert puller.pull() == STORED
        assert lane_users.check_token(session.token) is None  # her session ended
        with pytest.raises(AuthFailed):
            lane_users.authenticate("olga", "olga amber kettle", "tablet")
    finally:
        hub.close()
    assert puller.pull() == UNREACHABLE
    assert lane_users.authenticate("carol", "carol teal kite signal", "tablet").role == "supervisor"
    assert lane_users.authenticate("lana", "lana local plum ferry", "tablet").role == "supervisor"
    assert user_events(lane_store) == [
        ("user.added", "lana", None),
        ("user.added", "carol", ROSTER_ACTOR), ("user.added", "olga", ROSTER_ACTOR),
        ("user.disabled", "olga", ROSTER_ACTOR)]
    assert "password" not in json.dumps(lane_store.page(limit=1000)).replace("password_changed", "")


def serve(body: dict) -> Iterator[Upstream]:
    """A stand-in hub that proves its identity (a key of its own, pinned by the
    lane) and answers every other request with ``body``, signed, and an ETag."""
    identity = HubIdentity(Ed25519PrivateKey.generate())
    text = json.dumps(body).encode()

    @Request.application
    def app(request: Request) -> Response:
        if request.path == identity_path(LANE):
            return Response(json.dumps({"key": identity.public_text, "at": "", "signature": identity.prove(
                LANE, request.get_json()["nonce"], "")}), mimetype="application/json")
        return Response(text, mimetype="application/json",
                        headers={"ETag": '"bad-1"', SIGNATURE_HEADER: identity.sign_roster(text)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield make_upstream(LANE, f"http://127.0.0.1:{server.server_port}", "", "127.0.0.1", None,
                            parse_key(identity.public_text))
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bad_hub() -> Iterator[Upstream]:
    good = {"username": "olga", "role": "officer", "password_hash": PasswordHasher().hash("olga amber kettle"),
            "disabled": False, "updated_at": "2026-01-01T00:00:00.000Z"}
    yield from serve({"lane": LANE, "users": [good, {**good, "username": "mallory", "role": "root"}]})


def test_a_roster_that_fails_the_checks_is_not_merged_at_all(
        bad_hub: Upstream, lane_store: EventStore, lane_users: UserDirectory, caplog) -> None:
    puller = RosterPuller(lane_users.merge_roster, LANE, bad_hub, "token")
    assert puller.pull() == REJECTED
    assert puller.pull() == REJECTED
    assert lane_users.list() == []  # not even olga, who was fine
    assert user_events(lane_store) == []
    refusals = [r.getMessage() for r in caplog.records if "keeping the lane's last good copy" in r.getMessage()]
    assert len(refusals) == 1 and "users[1].role: 'root' is not one of" in refusals[0]


