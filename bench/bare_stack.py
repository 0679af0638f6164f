"""The bare stack lanebox is measured against (docs/architecture.md): a minimal pyserial read
loop per port emitting each line through Flask-SocketIO (threading mode).

Run by bench/live.py as ``python bench/bare_stack.py PORT PATH...``; prints
``ready`` once listening.
"""

from __future__ import annotations

import logging
import sys
import threading

import serial
from flask import Flask
from flask_socketio import SocketIO
from werkzeug.serving import make_server


def main() -> None:
    port, paths = int(sys.argv[1]), sys.argv[2:]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
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
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
