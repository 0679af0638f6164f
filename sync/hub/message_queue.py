"""Redis for a hub of several workers: waiting for it at start, and its health.

Flask-SocketIO relays every board push through Redis when the hub has a
``redis_url`` (its ``message_queue``), so that a board connected to one
worker sees what another worker ingested. Redis holds nothing the hub needs
to keep — the evidence is in the database — so a Redis outage costs live
pushes, not data; but a worker that starts without it would serve boards
that silently miss other workers' changes, so start waits for it, saying why.
"""

from __future__ import annotations

import time
from typing import Callable

from sync.hub.startup import first_line, retry_at_start, url_for_logs

PING_TIMEOUT_S = 2.0
REDIS_PORT = 6379


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
        return first_line(exc)
    return None


def wait_for_redis(url: str, *, retry_s: float = 2.0, attempts: int | None = None,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    """Return once Redis answers; log one clear line per failed try and retry
    every ``retry_s`` (raise :class:`RedisUnavailable` after ``attempts``)."""
    def ping() -> None:
        problem = redis_problem(url)
        if problem is not None:
            raise RedisUnavailable(f"Redis at {url_for_logs(url, REDIS_PORT)}: {problem}")

    retry_at_start(ping, RedisUnavailable, retry_s=retry_s, attempts=attempts, sleep=sleep,
                   why="live pushes between hub workers need it; ")
