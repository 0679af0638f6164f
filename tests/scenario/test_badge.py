"""The open /badge channel tells a sign-in screen that an enabled user's badge
was scanned, never whose: it sends a one-time code that, with that user's
password, signs them in — once. Nothing else that passes the lane's reader
is repeated there."""

from __future__ import annotations

import threading

import requests
import socketio

from tests.support.lane_process import PASSWORDS
from tests.support.waiting import wait_for


def listen(lane) -> tuple[socketio.Client, list[dict]]:
    heard: list[dict] = []
    lock = threading.Lock()
    client = socketio.Client(reconnection=False)
    client.on("badge", lambda data: (lock.acquire(), heard.append(data), lock.release()), namespace="/badge")
    client.connect(lane.url, namespaces=["/badge"], transports=["websocket"], wait_timeout=10)  # no token
    return client, heard


def badge_sign_in(lane, code: str, password: str) -> requests.Response:
    return requests.post(f"{lane.url}/api/v1/session/badge", json={"badge": code, "password": password}, timeout=10)


def test_only_enabled_users_badges_are_announced_and_never_by_name(lane):
    client, heard = listen(lane)
    try:
        for text in ["CSQU3054383", "]C1010590123412345715210526", "mallory", "BADGE:olga", "tom"]:
            lane.sims["barcode-1"].scan(text)
        wait_for(lambda: len(heard) >= 2, message="two badges")
        lane.sims["barcode-1"].scan("BADGE:olga")  # a marker: everything before it has been judged
        wait_for(lambda: len(heard) >= 3, message="the marker badge")
        assert len(heard) == 3 and all(set(data) == {"badge"} for data in heard)
        codes = [data["badge"] for data in heard]
        assert len(set(codes)) == 3 and not {"olga", "tom"} & {c.lower() for c in codes}
        olga, tom = codes[0], codes[1]
        answer = badge_sign_in(lane, tom, PASSWORDS["tom"][1])
        assert answer.status_code == 200 and answer.json()["username"] == "tom"
        assert badge_sign_in(lane, olga, "not her password").status_code == 401
        spent = badge_sign_in(lane, olga, PASSWORDS["olga"][1])  # one attempt per scan, right or wrong
        assert spent.status_code == 401 and spent.json()["error"]["code"] == "badge_expired"
        assert badge_sign_in(lane, "olga", PASSWORDS["olga"][1]).status_code == 401  # a name is not a code
    finally:
        client.disconnect()


def test_the_badge_channel_carries_no_readings(lane):
    got: list[str] = []
    client = socketio.Client(reconnection=False)
    client.on("*", lambda event, data: got.append(event), namespace="/badge")
    client.connect(lane.url, namespaces=["/badge"], transports=["websocket"], wait_timeout=10)
    try:
        lane.sims["trace-1"].swab([("RDX", 300.0)])
        lane.sims["document-1"].present(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                         "L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
        lane.sims["barcode-1"].scan("BADGE:sue")
        wait_for(lambda: got, message="the badge event")
        assert got == ["badge"]
    finally:
        client.disconnect()
