"""Serving the control-room board (pwa/board/) from the hub.

The same conventions as the officer app (:mod:`edge.web`): every asset from
the hub itself (a control room may have no internet), socket.io-client from
node_modules through the lane's own ``/vendor`` view, a service worker whose
cache name carries a hash of the shell. The board reuses three of the
officer app's modules (``api.js``, ``ui.js``, ``format.js``), served here at
the same ``/app/js/`` paths, and its icons.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, abort, redirect, send_from_directory

from edge.web import PWA_DIR, VENDOR, files_hash, vendor

BOARD_DIR = PWA_DIR / "board"
SHARED_JS = ("api.js", "ui.js", "format.js", "sw-shell.js")
"""The officer app's scripts the board uses (modules, and its service worker's shell
caching), which its service worker caches."""

bp = Blueprint("hub_web", __name__)
bp.add_url_rule("/vendor/<name>", "vendor", vendor)


def _no_cache(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-cache"  # the service worker caches
    return response


@bp.get("/")
def root() -> Any:
    return redirect("/board/", code=302)


@bp.get("/board/")
def board() -> Any:
    return _no_cache(send_from_directory(BOARD_DIR, "index.html"))


@lru_cache(maxsize=1)
def board_shell_hash() -> str:
    """A hash of every file the board's shell is made of (read once per process)."""
    return files_hash([*BOARD_DIR.rglob("*"), *(PWA_DIR / "js" / name for name in SHARED_JS),
                       *(PWA_DIR / "icons").glob("*.png"), *VENDOR.values()])


@bp.get("/board/sw.js")
def service_worker() -> Any:
    script = (BOARD_DIR / "sw.js").read_text(encoding="utf-8")
    return _no_cache(Response(script.replace("__SHELL_HASH__", board_shell_hash()),
                              mimetype="text/javascript"))


@bp.get("/board/<path:name>")
def board_file(name: str) -> Any:
    return _no_cache(send_from_directory(BOARD_DIR, name))


@bp.get("/app/js/<name>")
def shared_module(name: str) -> Any:
    if name not in SHARED_JS:
        abort(404)
    return _no_cache(send_from_directory(PWA_DIR / "js", name, mimetype="text/javascript"))


@bp.get("/app/icons/<name>")
def icon(name: str) -> Any:
    return send_from_directory(PWA_DIR / "icons", name)
