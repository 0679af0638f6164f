"""A lane's sockets end with their session: after a sign-out, a disabled
account, a new password or the session's time running out, ``/live`` and
``/console`` stop streaming and the server disconnects them — the other
users' sockets stay."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.support.served_lane import TTL_S, Lane
from tests.support.socket_client import Listener
from tests.support.waiting import wait_for


@pytest.fixture
def lane(tmp_path: Path) -> Iterator[Lane]:
    running = Lane(tmp_path)
    try:
        yield running
    finally:
        running.close()


def ended(listener: Listener, lane: Lane) -> None:
    """``listener`` is let go, and what is sent afterwards does not reach it."""
    wait_for(lambda: not listener.connected, timeout=5, message=f"{listener.namespace} to be disconnected")
    lane.stream("after-the-end")
    witness = Listener(lane.url, "/live", lane.sign_in("oscar"))
    try:
        lane.stream("after-the-end")
        wait_for(lambda: witness.received("device_status"), message="the witness to hear the stream")
    finally:
        witness.close()
    assert all(s["device_id"] != "after-the-end" for s in listener.received("device_status"))


def test_sign_out_ends_the_sessions_sockets_only(lane: Lane) -> None:
    token, other = lane.sign_in("tom"), lane.sign_in("tom")
    live, console = Listener(lane.url, "/live", token), Listener(lane.url, "/console", token)
    stays = Listener(lane.url, "/live", other)
    lane.stream("before")
    wait_for(lambda: live.received("device_status"), message="the stream")
    assert lane.api("DELETE", "/session", token).status_code == 200
    ended(live, lane)
    wait_for(lambda: not console.connected, message="/console to be disconnected")
    assert stays.connected  # the same user's other session goes on
    stays.close()


def test_a_disabled_account_loses_its_sockets(lane: Lane) -> None:
    live = Listener(lane.url, "/live", lane.sign_in("olga"))
    assert lane.api("POST", "/users/olga/disable", lane.sign_in("sue")).status_code == 200
    ended(live, lane)


def test_a_disabled_account_loses_its_sockets_when_disabled_outside_the_api(lane: Lane) -> None:
    console = Listener(lane.url, "/console", lane.sign_in("tom"))
    lane.server.users.disable("tom", actor="cli")  # as `lanebox users disable` would: no request to wake anyone
    wait_for(lambda: not console.connected, timeout=5, message="/console to be disconnected")


def test_a_new_password_ends_the_sockets(lane: Lane) -> None:
    live = Listener(lane.url, "/live", lane.sign_in("olga"))
    lane.server.users.set_password("olga", "another long lane password", actor="sue")
    ended(live, lane)


def test_an_expired_session_loses_its_sockets(lane: Lane) -> None:
    live, console = Listener(lane.url, "/live", lane.sign_in("tom")), Listener(lane.url, "/console",
                                                                               lane.sign_in("tom"))
    lane.clock.now += TTL_S - 10
    lane.stream("still-valid")
    wait_for(lambda: live.received("device_status"), message="the stream while the session lasts")
    assert live.connected and console.connected
    lane.clock.now += 20  # the session has run out; nobody asks anything
    ended(live, lane)
    wait_for(lambda: not console.connected, timeout=5, message="/console to be disconnected")
