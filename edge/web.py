"""Serving the officer app (the ``pwa`` package) from the lane box.

Conventions of :mod:`common.web.static`: every asset from the box itself,
third-party code from ``/vendor``, a service worker whose cache name
carries a hash of the shell.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, Response

from common.web.static import PWA, asset, file_response, files_hash, no_cache, shell_files, vendor_file

bp = Blueprint("web", __name__)
bp.add_url_rule("/vendor/<name>", "vendor", vendor_file)


@bp.get("/")
def index() -> Any:
    return file_response(PWA / "index.html")


@lru_cache(maxsize=1)
def shell_hash() -> str:
    """A hash of every file the app shell is made of (read once per process)."""
    return files_hash(shell_files(PWA))


@bp.get("/sw.js")
def service_worker() -> Any:
    """At the root, so its scope is the whole app; never cached by HTTP, and
    its cache name carries the shell's hash, so a changed app is picked up at
    the next visit without anyone remembering to bump a version."""
    script = (PWA / "sw.js").read_text(encoding="utf-8").replace("__SHELL_HASH__", shell_hash())
    return no_cache(Response(script, mimetype="text/javascript"))


@bp.get("/app/<path:name>")
def app_file(name: str) -> Any:
    return file_response(asset(PWA, name))
