"""Serving an app shell (the officer app, the board) from the installed package.

Everything a tablet or a control-room screen loads comes from the box
itself — no CDN: a lane may have no internet. The files are the ``pwa``
package's data, found with :mod:`importlib.resources`, so a wheel installed
anywhere serves the same files as a checkout. Third-party browser code
(socket.io-client) is copied into ``pwa/vendor/`` from npm when the package
is built, never committed minified.

A shell's service worker names its cache after a hash of the shell's files,
so a changed app is picked up at the next visit without anyone bumping a
version; HTTP caching is off for the shell (the service worker caches).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Iterable

from flask import Response, abort, request

PWA: Traversable = resources.files("pwa")
VENDOR: Traversable = PWA / "vendor"
"""The third-party scripts the apps load from ``/vendor/<name>``: whatever the
build put there (setup.py says which), served by name, nothing else."""

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".webmanifest": "application/manifest+json",
                 ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json"}


def _servable(entry: Traversable) -> bool:
    """An app file: of a type the apps use, not Python or its bytecode, not hidden."""
    return entry.is_file() and not entry.name.startswith(".") and _suffix(entry.name) in CONTENT_TYPES


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _walk(folder: Traversable) -> Iterable[Traversable]:
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name != "__pycache__" and not entry.name.startswith("."):
            yield from _walk(entry)
        elif _servable(entry):
            yield entry


def asset(folder: Traversable, name: str) -> Traversable:
    """The file ``name`` (a relative path) under ``folder``; 404 for anything
    else, including a path that tries to climb out of it."""
    parts = name.split("/")
    if not name or any(part in ("", ".", "..", "__pycache__") or part.startswith(".") for part in parts):
        abort(404)
    found = folder.joinpath(*parts)
    if not _servable(found):
        abort(404)
    return found


def file_response(found: Traversable, *, cache: bool = False) -> Response:
    """The file as a response, its type from its suffix, with an ETag (a
    revalidation costs a 304, not the file); uncached unless asked."""
    response = Response(found.read_bytes(), content_type=CONTENT_TYPES[_suffix(found.name)])
    response.add_etag()
    response.make_conditional(request)
    return response if cache else no_cache(response)


def no_cache(response: Any) -> Any:
    """The service worker does the caching; HTTP caching would pin old shells."""
    response.headers["Cache-Control"] = "no-cache"
    return response


def files_hash(files: Iterable[Traversable]) -> str:
    """A short hash of these files' names and contents: a shell's version."""
    digest = hashlib.sha256()
    for found in sorted(files, key=str):
        name = str(found).removeprefix(str(PWA))  # the same hash wherever lanebox is installed
        digest.update(name.encode() + b"\0" + found.read_bytes())
    return digest.hexdigest()[:16]


def shell_files(*folders: Traversable, extra: Iterable[Traversable] = ()) -> list[Traversable]:
    """Every app file under ``folders``, and ``extra``: what a shell hash covers."""
    return [*(f for folder in folders for f in _walk(folder)), *extra]


def vendor_file(name: str) -> Response:
    """``/vendor/<name>``: a third-party script shipped in the package."""
    return file_response(asset(VENDOR, name), cache=True)
