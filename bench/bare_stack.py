"""The bare stack docs/architecture.md compares lanebox against: a minimal pyserial read
loop per port emitting each line through Flask-SocketIO (threading mode),
served by the same production server as lanebox (common/web/server.py:
gunicorn's threaded worker, one worker, default limits), so the comparison
measures lanebox's own work and nothing else.

Run by bench/live.py as ``python bench/bare_stack.py PORT PATH...``; prints
``ready`` once serving.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import serial
from flask import Flask
from flask_socketio import SocketIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common.web.server import Service, serve  # noqa: E402


def start(paths: list[str]) -> Service:
    """The app and its reader threads, started in the server's worker (after its fork)."""
    app = Flask("bare")
    socketio = SocketIO(app, async_mode="threading")

    def read_loop(device_id: str, path: str) -> None:
        ser = serial.Serial(path, 9600, timeout=0.5)
        buffer = b""
        while True:
            buffer += ser.read(ser.in_waiting or 1)
            *lines, buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            for line in lines:
                if line:
                    socketio.emit("reading", {"device_id": device_id, "text": line.decode("latin-1")},
                                  namespace="/live")

    socketio.on_event("connect", lambda auth=None: True, namespace="/live")
    for index, path in enumerate(paths):
        threading.Thread(target=read_loop, args=(f"dev{index}", path), daemon=True).start()
    return Service(app, socketio, stop=lambda: None)  # daemon readers end with the process


def main() -> None:
    port, paths = int(sys.argv[1]), sys.argv[2:]
    serve(lambda: start(paths), "127.0.0.1", port, "bare stack", role=None,
          on_ready=lambda _url: print("ready", flush=True))


if __name__ == "__main__":
    main()
