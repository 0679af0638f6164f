"""Where the device manager's live messages go: a list of listeners.

Every ``reading`` and ``device_status`` the lane publishes is handed to each
listener in turn, on the device's reader thread, so a listener must be
cheap and never block (emit, set an event, append to a bounded list). The
lane server decides who listens; nothing here knows who they are.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger(__name__)

READING = "reading"

Listener = Callable[[str, dict[str, Any]], None]


def readings_only(take: Callable[[dict[str, Any]], None]) -> Listener:
    """A listener that passes ``reading`` messages to ``take`` and ignores the rest."""

    def listener(event: str, data: dict[str, Any]) -> None:
        if event == READING:
            take(data)

    return listener


class Fanout:
    """Publishes each message to every subscribed listener, in subscription order."""

    def __init__(self) -> None:
        self._listeners: tuple[Listener, ...] = ()

    def subscribe(self, *listeners: Listener) -> None:
        self._listeners = (*self._listeners, *listeners)

    def publish(self, event: str, data: dict[str, Any]) -> None:
        for listener in self._listeners:
            try:
                listener(event, data)
            except Exception:  # one listener's bug must not starve the others, nor kill the reader
                log.exception("live message listener %r failed on %s", listener, event)
