"""A bounded HTTP client for a device that is a local REST service (a full-page document reader's).

The service is a peer on the lane network like a terminal server, and no
more trusted: what it answers is read within bounds and nothing it says
sends the lane elsewhere.

- Only ``http://HOST:PORT`` is ever reached (:func:`drivers.port_rules.check_openable`),
  with a fixed path the driver builds; redirects are refused, not followed.
- No proxy, ``.netrc`` or CA bundle from the environment (``trust_env`` off):
  a lane's ``HTTP_PROXY`` must not carry a passport's data to another host.
- An answer is read up to a byte limit (more is "too large", whatever its
  ``Content-Length`` says) and within a deadline for the whole answer, not
  only per socket read, so a service dripping a byte at a time cannot hold
  the reader; compressed answers are refused (``Accept-Encoding: identity``),
  so the limit is the size that reaches memory.

:class:`ServiceDown` means the device is not there (the driver reconnects);
:class:`BadAnswer` means it answered something the lane does not take (the
driver drops it, counted). Neither message quotes the answer.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

import requests

from drivers.port_rules import HTTP, check_openable

#: (direction, bytes): the raw console's view of the exchange
Traffic = Callable[[str, bytes], None]

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 3.0
ANSWER_DEADLINE_S = 8.0
"""The longest a whole answer may take to arrive, headers to last byte."""
CHUNK = 16384


class ServiceDown(Exception):
    """The service could not be reached, dropped the connection or took too long."""


class BadAnswer(ValueError):
    """The service answered, but not with something the lane takes; the message is a fixed reason."""


class ServiceClient:
    """GETs of JSON from one ``http://HOST:PORT`` service, each bounded in size and time."""

    def __init__(self, base_url: str, on_traffic: Traffic, *, connect_timeout: float = CONNECT_TIMEOUT_S,
                 read_timeout: float = READ_TIMEOUT_S, deadline: float | None = None) -> None:
        """``deadline``: the whole answer's, :data:`ANSWER_DEADLINE_S` unless given."""
        check_openable(base_url, HTTP)
        self.base_url = base_url
        self._on_traffic = on_traffic
        self._timeouts = (connect_timeout, read_timeout)
        self._deadline = ANSWER_DEADLINE_S if deadline is None else deadline
        self._session = requests.Session()
        self._session.trust_env = False

    def close(self) -> None:
        self._session.close()

    def get_json(self, path: str, limit: int) -> tuple[Any, bytes]:
        """The JSON answer to ``GET path`` (a path the caller built) and its bytes, at most ``limit`` of them."""
        self._on_traffic("out", f"GET {path} HTTP/1.1\r\n".encode("ascii"))
        body = self._get(path, limit)
        self._on_traffic("in", body)
        try:
            return json.loads(body), body
        except (ValueError, RecursionError):
            raise BadAnswer("the answer is not JSON") from None

    def _get(self, path: str, limit: int) -> bytes:
        started = time.monotonic()
        try:
            with self._session.get(self.base_url + path, stream=True, allow_redirects=False,
                                   timeout=self._timeouts,
                                   headers={"Accept": "application/json", "Accept-Encoding": "identity"}) as answer:
                if answer.is_redirect or 300 <= answer.status_code < 400:
                    raise BadAnswer("a redirect, not followed")
                if answer.status_code != 200:
                    raise BadAnswer(f"answered HTTP {answer.status_code // 100}xx")
                if answer.headers.get("Content-Encoding", "identity").lower() != "identity":
                    raise BadAnswer("a compressed answer")
                return self._read(answer, limit, started)
        except requests.RequestException as exc:
            raise ServiceDown(f"{type(exc).__name__}") from None

    def _read(self, answer: requests.Response, limit: int, started: float) -> bytes:
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BadAnswer("an answer too large")
        body = bytearray()
        while True:
            if time.monotonic() - started > self._deadline:
                raise ServiceDown("the answer took too long")
            try:
                chunk = answer.raw.read1(CHUNK, decode_content=False)
            except Exception as exc:  # urllib3's timeouts and cut connections, which requests does not wrap here
                raise ServiceDown(type(exc).__name__) from None
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > limit:
                raise BadAnswer("an answer too large")
