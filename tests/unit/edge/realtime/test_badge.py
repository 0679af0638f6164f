"""A badge code is good for one sign-in attempt within CODE_TTL_S, for the
badge's user only; the codes held are bounded however fast a reader scans."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from edge.realtime.badge import CODE_TTL_S, MAX_CODES, BadgeRelay


def scan(text: str) -> dict:
    return {"kind": "barcode", "data": {"text": text, "parsed": None}}


class Relay:
    def __init__(self) -> None:
        self.now = 100.0
        self.sent: list[dict] = []
        socketio = SocketIO(Flask(__name__))
        socketio.emit = lambda event, data, namespace: self.sent.append(data)  # type: ignore[method-assign]
        self.relay = BadgeRelay(socketio, lambda: {"olga"}, clock=lambda: self.now)
        self.relay._on_connect()  # a sign-in screen listens


def test_a_code_names_its_user_once() -> None:
    test = Relay()
    test.relay.offer(scan("BADGE:olga"))
    test.relay.offer(scan("mallory"))  # not a user: nothing sent
    assert len(test.sent) == 1 and set(test.sent[0]) == {"badge"}
    code = test.sent[0]["badge"]
    assert test.relay.redeem(code) == "olga"
    assert test.relay.redeem(code) is None


def test_a_code_runs_out() -> None:
    test = Relay()
    test.relay.offer(scan("olga"))
    test.now += CODE_TTL_S
    assert test.relay.redeem(test.sent[0]["badge"]) is None


def test_codes_held_are_bounded_oldest_first() -> None:
    test = Relay()
    for _ in range(MAX_CODES + 5):
        test.relay.offer(scan("olga"))
    codes = [data["badge"] for data in test.sent]
    assert test.relay.redeem(codes[0]) is None
    assert test.relay.redeem(codes[-1]) == "olga"
