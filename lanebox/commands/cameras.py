"""``lanebox camera-token``: a new token for a camera and the line for the lane's config.

The token goes into the camera's push settings (``Authorization: Bearer``);
the lane keeps only its SHA-256 (``token_sha256`` in ``[[cameras]]``, or the
token itself in a ``token_file`` readable by the lane only). It is printed
once and kept nowhere else (docs/cameras.md).
"""

from __future__ import annotations

import argparse
from typing import Any

from edge.cameras.tokens import new_token, token_sha256


def add_commands(sub: Any) -> None:
    token = sub.add_parser("camera-token", help="make a token for a camera pushing reads to this lane",
                           description="Print a new random camera token and the token_sha256 line for the "
                                       "camera's [[cameras]] table.")
    token.set_defaults(func=cmd_camera_token)


def cmd_camera_token(args: argparse.Namespace) -> int:
    token = new_token()
    print(f"token (for the camera's push settings, shown once): {token}")
    print(f'token_sha256 = "{token_sha256(token)}"')
    return 0
