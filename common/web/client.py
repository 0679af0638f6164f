"""Which address a request really came from, behind the proxies a site trusts.

Behind the documented nginx every request reaches the hub from nginx's own
address, so one board user's failed sign-ins would throttle them all, and
the audit would say every attack came from 127.0.0.1. nginx appends the
client's address to ``X-Forwarded-For``; but any client can send that
header too, so it is believed only when the connection comes from a proxy
the config lists (``trusted_proxies``: addresses or networks), and then
read from the right: the first address that is not itself a trusted proxy
is the client. Everything else — no trusted proxy configured, a garbled
header, a header from an untrusted peer — falls back to the connection's
own address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from common.config import Section

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 16
"""Entries of X-Forwarded-For looked at (from the right); the rest is ignored."""


def parse_proxies(values: Iterable[Any]) -> tuple[Network, ...]:
    """``trusted_proxies`` from a config (addresses or CIDR networks); ``ValueError`` names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


def trusted_proxies(section: Section) -> tuple[Network, ...]:
    """The ``trusted_proxies`` key of a config section (default: none)."""
    values = section.get("trusted_proxies", list, [])
    try:
        return parse_proxies(values)
    except ValueError as exc:
        raise section.fail("trusted_proxies", f"{exc} (list the reverse proxies' addresses)") from None


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address: ``peer`` (the connection's), unless ``peer`` is
    a trusted proxy, then the right-most untrusted ``X-Forwarded-For`` entry."""
    peer = peer or "unknown"
    if not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")][-MAX_HOPS:]
    for hop in reversed(hops):
        if _address(hop) is None:
            return peer  # garbled: believe nothing of it
        if not _is_trusted(hop, trusted):
            return hop
    return peer


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(text: str, trusted: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in trusted)


class TrustedProxies:
    """WSGI middleware: ``REMOTE_ADDR`` becomes :func:`client_address`'s answer,
    so sign-in throttling, audit and logs all see the client, not nginx."""

    def __init__(self, app: Any, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["REMOTE_ADDR"] = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"),
                                                self.trusted)
        return self.app(environ, start_response)
