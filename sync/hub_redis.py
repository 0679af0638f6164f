"""Redis for a hub of several workers: waiting for it at start, and its health.

Flask-SocketIO relays every board push through Redis when the hub has a
``redis_url`` (its ``message_queue``), so that a board connected to one
worker sees what another worker ingested. Redis holds nothing the hub needs
to keep — the evidence is in the database — so a Redis outage costs live
pushes, not data; but a worker that starts without it would serve boards
that silently miss other workers' changes, so start waits for it, saying why.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

log = logging.getLogger(__name__)

PING_TIMEOUT_S = 2.0


class RedisUnavailable(Exception):
    """Redis did not answer PING."""


def redis_problem(url: str) -> str | None:
    """None when Redis at ``url`` answers PING, else why not (one line)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=PING_TIMEOUT_S,
                                      socket_timeout=PING_TIMEOUT_S)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError) as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def wait_for_redis(url: str, *, retry_s: float = 2.0, attempts: int | None = None,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    """Return once Redis answers; log one clear line per failed try and retry
    every ``retry_s`` (raise :class:`RedisUnavailable` after ``attempts``)."""
    attempt = 0
    while (problem := redis_problem(url)) is not None:
        attempt += 1
        message = f"Redis at {_redact(url)}: {problem}"
        if attempts is not None and attempt >= attempts:
            raise RedisUnavailable(message)
        log.error("%s; live pushes between hub workers need it; retrying in %.0f s",
                  message, retry_s)
        sleep(retry_s)


def _redact(url: str) -> str:
    """The URL without a password, for logs."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path}"
