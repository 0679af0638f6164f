"""The open /badge channel repeats badge scans of enabled users and
nothing else that passes the lane's reader."""

from __future__ import annotations

import threading

import socketio

from tests.support.waiting import wait_for


def test_only_enabled_users_badges_are_repeated(lane):
    heard: list[dict] = []
    lock = threading.Lock()
    client = socketio.Client(reconnection=False)
    client.on("badge", lambda data: (lock.acquire(), heard.append(data), lock.release()), namespace="/badge")
    client.connect(lane.url, namespaces=["/badge"], transports=["websocket"], wait_timeout=10)  # no token
    try:
        scans = ["CSQU3054383", "]C1010590123412345715210526", "mallory", "BADGE:olga", "tom"]
        for text in scans:
            lane.sims["barcode-1"].scan(text)
        wait_for(lambda: len(heard) >= 2, message="two badges")
        lane.sims["barcode-1"].scan("BADGE:olga")  # a marker: everything before it has been judged
        wait_for(lambda: len(heard) >= 3, message="the marker badge")
        assert heard == [{"username": "olga"}, {"username": "tom"}, {"username": "olga"}]
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
