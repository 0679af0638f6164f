"""How much the web server lets clients take: ``max_connections`` and ``read_timeout_s``.

The lane's ``[server]`` and the hub's ``[hub]`` tables take the same two keys,
read here with :mod:`common.config`'s rules (a bad value is one line naming
the key). docs/server.md says what they bound and why these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.config import Section

MAX_CONNECTIONS_RANGE = (2, 4096)
READ_TIMEOUT_RANGE_S = (1.0, 300.0)


@dataclass(frozen=True)
class ServerLimits:
    """``max_connections``: connections served at once, each with its thread (a
    websocket keeps its own as long as it is open); more wait unanswered in the
    kernel's queue. ``read_timeout_s``: the time a client has to send a whole
    request head, and the longest silence while it sends a body or reads a
    response; past it the connection is dropped."""

    max_connections: int = 100
    read_timeout_s: float = 10.0


def parse_limits(section: Section, defaults: ServerLimits) -> ServerLimits:
    """The two keys of ``section``, each defaulting to ``defaults``'."""
    connections = section.get("max_connections", int, defaults.max_connections)
    low, high = MAX_CONNECTIONS_RANGE
    if not low <= connections <= high:
        raise section.fail("max_connections", f"must be between {low} and {high}")
    timeout = float(section.get("read_timeout_s", (int, float), defaults.read_timeout_s))
    low_s, high_s = READ_TIMEOUT_RANGE_S
    if not low_s <= timeout <= high_s:
        raise section.fail("read_timeout_s", f"must be between {low_s:g} and {high_s:g} seconds")
    return ServerLimits(max_connections=connections, read_timeout_s=timeout)
