"""The outside servers some hub tests need: PostgreSQL and Redis on 127.0.0.1, and nginx.

A developer without them still runs everything else: those tests skip and
say which server they could not reach and why. CI must not quietly skip
them, so ``.ci/run`` sets ``LANEBOX_REQUIRE_SERVICES=1``, which turns that
skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_URL = os.environ.get("LANEBOX_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LANEBOX_TEST_REDIS", "redis://127.0.0.1:6379/0")
NGINX = "/usr/sbin/nginx"
REQUIRED = os.environ.get("LANEBOX_REQUIRE_SERVICES") == "1"


def _unavailable(what: str, why: str) -> None:
    message = (f"{what} not reachable: {why} (these tests need a real server; "
               f"CI runs them with LANEBOX_REQUIRE_SERVICES=1)")
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


def _postgres_admin():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL at {POSTGRES_URL}", str(exc).strip().splitlines()[0])


def database_url(name: str) -> str:
    """``POSTGRES_URL`` with its database swapped for ``name``."""
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))


def new_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of the test's own (dropped afterwards); yields its URL."""
    name = f"lanebox_test_{uuid.uuid4().hex[:12]}"
    with _postgres_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_nginx() -> str:
    """Debian's nginx binary (``make test`` installs it); skips (or fails in CI) without it."""
    if not os.access(NGINX, os.X_OK):
        _unavailable(f"nginx at {NGINX}", "not installed (apt-get install nginx)")
    return NGINX


def require_systemd_analyze() -> str:
    """Debian's systemd-analyze (``make test`` installs systemd for it); skips (or fails in CI) without it."""
    found = shutil.which("systemd-analyze")
    if found is None:
        _unavailable("systemd-analyze", "not installed (apt-get install systemd)")
    return found


def require_redis() -> str:
    """The Redis URL, once Redis answered PING; skips (or fails in CI) otherwise."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {REDIS_URL}", str(exc))
    return REDIS_URL
