"""JSON from the network, parsed strictly: what :func:`json.loads` lets through
that a lanebox peer must never send.

* **Nesting deeper than** :data:`MAX_DEPTH`. Python's parser recurses once
  per level, so ``[[[[…`` 100,000 deep raised ``RecursionError`` — an
  uncaught 500 on every JSON route, sign-in included. The depth is counted
  here *before* parsing, without recursion: strings are skipped with one
  linear regular expression, then the brackets are summed.
* **``NaN``, ``Infinity``, ``-Infinity``** and numbers too big for a float
  (``1e999`` parses to ``inf``): not JSON (RFC 8259), and nothing downstream
  (hashing, the store, PostgreSQL) agrees on what they mean.

Every refusal is a :class:`JsonRefused`, a ``ValueError``, so callers that
already turn a ``ValueError`` from :func:`json.loads` into a 400 need no
change. The module has ``loads`` and ``dumps``, so it can stand in as
Socket.IO's JSON module, and :class:`StrictJSONProvider` puts the same rule
under Flask's ``request.get_json``.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted; lanebox's own documents stay under 10."""

dumps = json.dumps  # Socket.IO's JSON module needs both halves

# A string, up to its closing quote or the end (an unclosed one is left to the parser to
# refuse); possessive, so it never backtracks and the scan stays linear.
_STRING = re.compile(r'"(?:[^"\\]|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonRefused(ValueError):
    """The text is not JSON a peer may send (see the module doc)."""


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings do not count)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"number {text[:20]} is out of range")
    return value


def loads(data: str | bytes | bytearray, **kwargs: Any) -> Any:
    """:func:`json.loads`, refusing deep nesting, NaN/Infinity and infinite numbers
    with a :class:`JsonRefused` (bytes in a UTF other than UTF-8 are decoded as
    :func:`json.loads` would)."""
    text = data if isinstance(data, str) else data.decode(json.detect_encoding(data), "surrogatepass")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise JsonRefused(f"nested {depth} deep; at most {MAX_DEPTH} levels are accepted")
    kwargs.setdefault("parse_constant", _constant)
    kwargs.setdefault("parse_float", _finite_float)
    return json.loads(text, **kwargs)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing with :func:`loads` (what ``request.get_json`` uses);
    keys are kept in the order routes build them."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)
