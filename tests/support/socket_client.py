"""A real python-socketio client on one namespace that keeps what it is sent
and whether the server let it go — for tests of who may stay connected."""

from __future__ import annotations

import threading
from typing import Any

import socketio


class Listener:
    """Connected to ``url``'s ``namespace`` with ``token``; ``events`` is every
    (name, data) received, ``connected`` whether the socket is still open.
    Over ``websocket`` the client sends ``url`` itself as its Origin, as a page
    of that server would; over ``polling`` only the Origin of ``headers``."""

    def __init__(self, url: str, namespace: str, token: str | None, headers: dict[str, str] | None = None,
                 transport: str = "websocket") -> None:
        self.namespace = namespace
        self.events: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._on_any, namespace=namespace)
        self.client.connect(url, namespaces=[namespace], auth={"token": token} if token else None,
                            headers=headers or {}, transports=[transport], wait_timeout=10)

    def _on_any(self, event: str, data: Any = None) -> None:
        with self._lock:
            self.events.append((event, data))

    def received(self, event: str) -> list[Any]:
        with self._lock:
            return [data for name, data in self.events if name == event]

    @property
    def connected(self) -> bool:
        return self.namespace in self.client.namespaces

    def close(self) -> None:
        self.client.disconnect()
