"""A lane with cameras of every push format, served by the real Flask app."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient
from PIL import Image

from edge.cameras.tokens import token_sha256
from edge.config import parse_config
from edge.server import LaneServer

SAMPLES = Path(__file__).parent / "samples"
TOKENS = {"gate": "gate-token-7cQ2", "hik": "hik-token-Zr41", "pr": "pr-token-Lw8d", "box": "box-token-Ut3m"}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def jpeg(colour: str = "white", size: tuple[int, int] = (96, 32)) -> bytes:
    """A real JPEG, as a camera's plate crop is."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def camera_tables(tmp_path: Path) -> list[dict[str, Any]]:
    token_file = tmp_path / "hik.token"
    token_file.write_text(TOKENS["hik"] + "\n", encoding="utf-8")
    return [{"id": "gate", "format": "generic", "token_sha256": token_sha256(TOKENS["gate"])},
            {"id": "hik", "format": "hikvision", "role": "plate", "token_file": str(token_file)},
            {"id": "pr", "format": "platerecognizer", "role": "plate", "token_sha256": token_sha256(TOKENS["pr"])},
            {"id": "box", "format": "generic", "role": "container", "token_sha256": token_sha256(TOKENS["box"])},
            {"id": "mq", "format": "onvif", "role": "plate"}]


@dataclass
class CameraLane:
    server: LaneServer
    client: FlaskClient
    heard: list[dict[str, Any]] = field(default_factory=list)

    def push(self, camera: str, data: Any, content_type: str = "application/json", token: str | None = None,
             **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {TOKENS.get(camera, 'x') if token is None else token}"}
        return self.client.post(f"/api/v1/cameras/{camera}/reads", data=data, content_type=content_type,
                                headers=headers, **kwargs)

    def reads(self) -> list[dict[str, Any]]:
        return self.server.store.query("SELECT * FROM events WHERE type = 'camera.read' ORDER BY seq")

    def photos(self) -> list[str]:
        folder = self.server.photos.folder
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def start_camera_lane(tmp_path: Path, **extra: Any) -> LaneServer:
    server = LaneServer(parse_config({"lane": {"id": "CAM-1"}, "server": {"data_dir": str(tmp_path / "lane")},
                                      "cameras": camera_tables(tmp_path), **extra}))
    server.start()
    return server


@pytest.fixture
def camera_lane(tmp_path: Path) -> Iterator[CameraLane]:
    server = start_camera_lane(tmp_path)
    lane = CameraLane(server, server.app.test_client())
    server.cameras.on_read = lane.heard.append
    try:
        yield lane
    finally:
        server.stop()
