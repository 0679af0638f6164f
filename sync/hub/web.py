"""Serving the control-room board (``pwa/board``) from the hub.

The same conventions as the officer app (:mod:`common.web.static`): every
asset from the hub itself (a control room may have no internet),
socket.io-client from ``/vendor``, a service worker whose cache name
carries a hash of the shell. The board reuses some of the officer app's
scripts (``api.js``, ``ui.js``, ``format.js``, the sheet that asks why a
search or a case is opened (``sheet.js``, ``justify.js``), the screen that checks a bag's
label (``screens/verify.js`` with ``labels_crypto.js`` and ``db.js``, which keeps
the port's lane keys for a day with no hub) and its service worker's
``sw-shell.js``), served here at the same ``/app/js/`` paths, and its icons.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, abort, redirect

from common.web.static import PWA, VENDOR, asset, file_response, files_hash, no_cache, shell_files, vendor_file

BOARD = PWA / "board"
SHARED_JS = ("api.js", "ui.js", "format.js", "sw-shell.js", "sheet.js", "justify.js", "db.js", "labels_crypto.js",
             "screens/verify.js")
"""The officer app's scripts the board uses, which its service worker caches."""

bp = Blueprint("hub_web", __name__)
bp.add_url_rule("/vendor/<name>", "vendor", vendor_file)


@bp.get("/")
def root() -> Any:
    return redirect("/board/", code=302)


@bp.get("/board/")
def board() -> Any:
    return file_response(BOARD / "index.html")


@lru_cache(maxsize=1)
def board_shell_hash() -> str:
    """A hash of every file the board's shell is made of (read once per process)."""
    return files_hash(shell_files(BOARD, PWA / "icons", VENDOR, extra=[PWA / "js" / name for name in SHARED_JS]))


@bp.get("/board/sw.js")
def service_worker() -> Any:
    script = (BOARD / "sw.js").read_text(encoding="utf-8")
    return no_cache(Response(script.replace("__SHELL_HASH__", board_shell_hash()), mimetype="text/javascript"))


@bp.get("/board/<path:name>")
def board_file(name: str) -> Any:
    return file_response(asset(BOARD, name))


@bp.get("/app/js/<path:name>")
def shared_module(name: str) -> Any:
    if name not in SHARED_JS:
        abort(404)
    return file_response(PWA / "js" / name)


@bp.get("/app/icons/<name>")
def icon(name: str) -> Any:
    return file_response(asset(PWA / "icons", name), cache=True)
