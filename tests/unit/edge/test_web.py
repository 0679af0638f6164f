"""The box serves the app shell itself, with a service worker whose cache
name follows the shell's content."""

from __future__ import annotations

import py_compile
import re
from pathlib import Path

import pwa
from edge.config import parse_config
from edge.server import LaneServer


def test_shell_and_vendor_files_are_served_and_the_cache_name_is_a_content_hash(tmp_path):
    server = LaneServer(parse_config({"lane": {"id": "WEB-1"}, "server": {"data_dir": str(tmp_path)}}))
    client = server.app.test_client()
    assert b"<html" in client.get("/").data.lower()
    assert client.get("/vendor/socket.io.min.js").status_code == 200
    assert client.get("/vendor/nothing.js").status_code == 404
    script = client.get("/sw.js")
    assert script.mimetype == "text/javascript" and script.headers["Cache-Control"] == "no-cache"
    body = script.get_data(as_text=True)
    assert "__SHELL_HASH__" not in body
    assert re.search(r"const VERSION = 'lanebox-shell-[0-9a-f]{16}';", body)


def test_only_the_apps_files_are_served_never_code_bytecode_or_a_path_out(tmp_path):
    server = LaneServer(parse_config({"lane": {"id": "WEB-1"}, "server": {"data_dir": str(tmp_path)}}))
    client = server.app.test_client()
    assert client.get("/app/js/main.js").status_code == 200
    assert client.get("/app/js/main.js", headers={"If-None-Match": client.get("/app/js/main.js").headers["ETag"]}
                      ).status_code == 304
    bytecode = Path(py_compile.compile(pwa.__file__))  # as an installed package has it beside its code
    for refused in ("/app/__init__.py", f"/app/__pycache__/{bytecode.name}", "/app/../edge/server.py",
                    "/app/js/../../common/web/static.py", "/app/.hidden", "/app/js/", "/vendor/../__init__.py"):
        assert client.get(refused).status_code == 404, refused
