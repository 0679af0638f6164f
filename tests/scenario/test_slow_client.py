"""A tablet that stops reading must not hold up the others, nor make the
server keep an unbounded pile of messages for it."""

from __future__ import annotations

import socket

import requests
import websocket

from tests.support.metrics import metric_value
from tests.support.tablet import Tablet
from tests.support.waiting import wait_for


def stuck_client(url: str, token: str) -> websocket.WebSocket:
    """An Engine.IO websocket client that joins /live and then never reads,
    with a tiny receive buffer so the server's sends back up quickly."""
    ws = websocket.create_connection(url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=10, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 2048),))
    ws.recv()  # the Engine.IO open packet
    ws.send('40/live,{"token":"%s"}' % token)
    return ws


def metric(url: str, name: str) -> float:
    return metric_value(requests.get(f"{url}/metrics", timeout=5).text, name)


def test_a_stuck_client_is_skipped_then_dropped_and_others_keep_up(lane):
    token = lane.token("vic")
    stuck = stuck_client(lane.url, token)
    healthy = Tablet(lane.url, token)
    try:
        wait_for(lambda: metric(lane.url, "lanebox_live_clients") >= 2, message="both clients connected")
        barcode = lane.sims["barcode-1"]
        big = "X" * 400  # under the reader's line bound
        sent = 0
        # scan in bursts until the server reports it is skipping the stuck
        # client; the healthy tablet gets every burst in full meanwhile
        while metric(lane.url, "lanebox_live_dropped_messages_total") == 0:
            for _ in range(8):  # 8 x 400 B fits the pty buffer
                sent += 1
                barcode.scan(f"{big}{sent:06d}")
            last = f"{big}{sent:06d}"
            wait_for(lambda: any(r["data"]["text"] == last for r in healthy.readings_of("barcode-1")),
                     timeout=5, message=f"scan {sent} at the healthy tablet")
            assert sent < 20_000, "the stuck client was never skipped"
        # and the stuck one is disconnected once it has been stuck for a while
        wait_for(lambda: metric(lane.url, "lanebox_live_clients") == 1, timeout=20,
                 message="the stuck client disconnected")
    finally:
        healthy.close()
        stuck.close()
