"""Serving the officer app (pwa/) and its third-party code from the box.

Everything a tablet loads comes from here — no CDN: a lane may have no
internet. Third-party code comes from node_modules (installed by `npm ci`
from package-lock.json), never from committed minified copies.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from flask import Blueprint, Response, abort, send_from_directory

ROOT = Path(__file__).resolve().parent.parent
PWA_DIR = ROOT / "pwa"
#: URL name → file in node_modules
VENDOR = {
    "socket.io.min.js": ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
}

bp = Blueprint("web", __name__)


@bp.get("/")
def index() -> Any:
    return _no_cache(send_from_directory(PWA_DIR, "index.html"))


def files_hash(paths: Iterable[Path]) -> str:
    """A short hash of these files' names and contents: a shell's version."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file() and path.suffix != ".py":
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def shell_hash() -> str:
    """A hash of every file the app shell is made of (read once per process)."""
    return files_hash([*PWA_DIR.rglob("*"), *VENDOR.values()])


@bp.get("/sw.js")
def service_worker() -> Any:
    """At the root, so its scope is the whole app; never cached by HTTP, and
    its cache name carries the shell's hash, so a changed app is picked up at
    the next visit without anyone remembering to bump a version."""
    script = (PWA_DIR / "sw.js").read_text(encoding="utf-8").replace("__SHELL_HASH__", shell_hash())
    return _no_cache(Response(script, mimetype="text/javascript"))


@bp.get("/vendor/<name>")
def vendor(name: str) -> Any:
    path = VENDOR.get(name)
    if path is None or not path.is_file():
        abort(404, description=f"{name} is not installed; run `make install` (npm ci)")
    return send_from_directory(path.parent, path.name, mimetype="text/javascript")


@bp.get("/app/<path:name>")
def app_file(name: str) -> Any:
    return _no_cache(send_from_directory(PWA_DIR, name))


def _no_cache(response: Any) -> Any:
    # the service worker does the caching; HTTP caching would pin old shells
    response.headers["Cache-Control"] = "no-cache"
    return response
