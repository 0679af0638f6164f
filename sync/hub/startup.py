"""What a hub worker does about the servers it needs (PostgreSQL, Redis)
before it serves: wait for them, and name them in logs without secrets.

A worker started before its database or Redis (a reboot, a deploy that
starts everything at once) should not exit: it logs one clear line per try
and tries again, so no start-up ordering is needed.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

T = TypeVar("T")


def retry_at_start(attempt: Callable[[], T], failure: type[Exception], *, retry_s: float,
                   attempts: int | None = None, why: str = "",
                   sleep: Callable[[float], None] = time.sleep) -> T:
    """``attempt()`` until it does not raise ``failure``: each failure is one
    error line (its message, then ``why``), then a wait of ``retry_s``; after
    ``attempts`` tries the last failure is raised."""
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except failure as exc:
            if attempts is not None and tries >= attempts:
                raise
            log.error("%s; %sretrying in %.0f s", exc, why, retry_s)
            sleep(retry_s)


def url_for_logs(url: str, default_port: int) -> str:
    """``host:port/path`` of a server URL: never its user or password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    try:
        port = parts.port or default_port
    except ValueError:  # a bad port is reported when connecting
        return "(unparsable URL)"
    return f"{parts.hostname or 'localhost'}:{port}{parts.path}"


def first_line(exc: BaseException) -> str:
    """An exception's message as one line (drivers' messages run over several)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
