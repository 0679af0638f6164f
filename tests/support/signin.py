"""Signing in over HTTP, as a tablet or a board does: the rigs' one way to get a session token."""

from __future__ import annotations

import requests


def session_token(url: str, username: str, password: str) -> str:
    """A bearer token from ``POST {url}/api/v1/session`` (a lane or the hub); fails the test otherwise."""
    response = requests.post(f"{url}/api/v1/session", json={"username": username, "password": password},
                             timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["token"]
