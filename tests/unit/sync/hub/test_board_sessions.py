"""A control room's ``/board`` socket ends with its hub session: signed out,
the account disabled (by the CLI, in another process: nothing tells this
one), or the session run out — the board is disconnected and hears no
more alarms; other boards stay."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest
import requests
from werkzeug.serving import make_server

from sync.hub.app import Hub
from sync.hub.store import HubStore
from sync.hub.users import HubUsers
from tests.support.clock import EpochClock
from tests.support.hub_rig import HUB_ID
from tests.support.signin import session_token
from tests.support.socket_client import Listener
from tests.support.waiting import wait_for

PASSWORD = "control room night shift"
TTL_S = 3600


class Board:
    def __init__(self, root: Path) -> None:
        self.clock = EpochClock()
        self.store = HubStore(root / "hub.sqlite3", HUB_ID).start()
        self.users = HubUsers(self.store, TTL_S, clock=self.clock)
        for username in ("carol", "dave"):
            self.users.add(username, "supervisor", PASSWORD)
        self.hub = Hub(self.store, users=self.users).start()
        self.http = make_server("127.0.0.1", 0, self.hub.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def sign_in(self, username: str) -> str:
        return session_token(self.url, username, PASSWORD)

    def alarm(self, marker: str) -> None:
        self.hub.feed.alarms([{"id": marker}])

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.hub.stop()
        self.store.close()


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    running = Board(tmp_path)
    try:
        yield running
    finally:
        running.close()


def ended(listener: Listener, witness: Listener, board: Board) -> None:
    wait_for(lambda: not listener.connected, timeout=5, message="/board to be disconnected")
    board.alarm("after")
    wait_for(lambda: {"id": "after"} in witness.received("alarm"), message="the other board to hear it")
    assert {"id": "after"} not in listener.received("alarm")
    assert witness.connected


def test_sign_out_ends_the_board_socket(board: Board) -> None:
    token = board.sign_in("carol")
    mine, other = Listener(board.url, "/board", token), Listener(board.url, "/board", board.sign_in("dave"))
    board.alarm("before")
    wait_for(lambda: mine.received("alarm"), message="the alarm")
    requests.delete(f"{board.url}/api/v1/session", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    ended(mine, other, board)


def test_disabling_the_account_elsewhere_ends_the_board_socket(board: Board) -> None:
    mine, other = Listener(board.url, "/board", board.sign_in("carol")), Listener(board.url, "/board",
                                                                                  board.sign_in("dave"))
    HubUsers(board.store).disable("carol")  # as `lanebox hub users disable` does, beside the running hub
    ended(mine, other, board)


def test_an_expired_session_ends_the_board_socket(board: Board) -> None:
    mine = Listener(board.url, "/board", board.sign_in("carol"))
    board.clock.now += TTL_S / 2
    other = Listener(board.url, "/board", board.sign_in("dave"))
    board.clock.now += TTL_S / 2 + 1  # carol's has run out, dave's has not
    ended(mine, other, board)
