"""Bodies no route may choke on, sent to every operation of an OpenAPI
document that takes one: each must be a 400 in the API's error shape (never
a 500) — the routes are read from the document, so a new route is covered
the day it is added."""

from __future__ import annotations

from typing import Callable, Iterator

from flask.testing import FlaskClient

from tests.support.openapi import concrete, operations

DEEP = b"[" * 100_000 + b"]" * 100_000
"""An array 100,000 deep: Python's JSON parser recursed once per level. At
200 KB it is over a public route's body limit, so it may also be a 413."""

SMALL_DEEP = b"[" * 5_000 + b"]" * 5_000
"""5,000 deep in 10 KB: under every route's limit, so it reaches the parser."""

NOT_FINITE = (b'{"x": NaN}', b'{"x": Infinity}', b'{"x": -Infinity}', b'{"x": 1e999}')
"""Literals and numbers that are not JSON numbers (RFC 8259)."""


def body_operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, method, op in operations(document):
        if "requestBody" in op:
            yield path, method, op


def assert_bad_bodies_refused(client: FlaskClient, document: dict, headers_for: Callable[[dict], dict],
                              bodies: tuple[bytes, ...] = (DEEP, SMALL_DEEP, *NOT_FINITE),
                              fill: Callable[[str], str] = concrete) -> int:
    """Send each of ``bodies`` to every operation with a request body, with the
    credential ``headers_for(operation)`` gives: a 400 ``invalid_json``, or for
    :data:`DEEP` a 413 too; ``fill`` makes a document path a URL. Returns how
    many operations were tried."""
    called = 0
    for path, method, op in body_operations(document):
        for body in bodies:
            response = client.open(fill(path), method=method.upper(), data=body,
                                   headers={**headers_for(op), "Content-Type": "application/json"})
            allowed = {400: "invalid_json", 413: "too_large"} if body is DEEP else {400: "invalid_json"}
            assert response.status_code in allowed, (path, method, body[:20], response.status_code,
                                                     response.get_data(as_text=True)[:200])
            assert response.get_json()["error"]["code"] == allowed[response.status_code], (path, method)
        called += 1
    return called
