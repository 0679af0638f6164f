"""``[[cameras]]`` and ``[mqtt]`` in the lane's config (docs/cameras.md),
checked by :mod:`common.config`'s rules like every other table: one line
naming the key and the problem, unknown keys refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common.config import ConfigError, Section, config_path
from edge.cameras.formats import FORMATS
from edge.cameras.tokens import token_sha256

ROLES = ("plate", "container", "both")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
TOPIC_PREFIX = re.compile(r"^[A-Za-z0-9_./-]{1,128}$")


@dataclass(frozen=True)
class CameraConfig:
    id: str
    format: str
    role: str
    token_sha256: str | None  # None: an MQTT camera (the broker authenticates it)

    def reads(self, what: str) -> bool:
        """Whether this camera is trusted to read ``what`` ("plate" or "container")."""
        return self.role in (what, "both")


@dataclass(frozen=True)
class MqttConfig:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    topic_prefix: str
    client_id: str
    ca_file: Path | None = None


def parse_cameras(top: Section, base_dir: Path) -> tuple[CameraConfig, ...]:
    cameras = tuple(parse_camera(top.source, f"cameras[{i}]", raw, base_dir)
                    for i, raw in enumerate(top.get("cameras", list, [])))
    seen: set[str] = set()
    for i, camera in enumerate(cameras):
        if camera.id in seen:
            raise ConfigError(top.source, f"cameras[{i}].id", f"duplicate camera id {camera.id!r}")
        seen.add(camera.id)
    return cameras


def parse_camera(source: str, where: str, raw: Any, base_dir: Path) -> CameraConfig:
    section = Section(source, where, raw)
    camera_id = section.local_id()
    name = section.one_of("format", sorted(FORMATS), required=True)
    role = section.one_of("role", ROLES, "both")
    digest, token_file = section.get("token_sha256", str, None), section.get("token_file", str, None)
    if FORMATS[name].transport == "mqtt":
        if digest is not None or token_file is not None:
            raise section.fail("token_sha256" if digest is not None else "token_file",
                               "an MQTT camera has no token: the broker authenticates it ([mqtt])")
    elif (digest is None) == (token_file is None):
        raise section.fail("token_sha256", "give token_sha256 or token_file (one of them): "
                                           "`lanebox camera-token` makes a token and prints both")
    elif digest is not None and not SHA256_HEX.match(digest):
        raise section.fail("token_sha256", "must be 64 lowercase hex digits (the token's SHA-256)")
    elif token_file is not None:
        digest = token_sha256(_read_secret(section, "token_file", token_file, base_dir))
    section.done()
    return CameraConfig(id=camera_id, format=name, role=role, token_sha256=digest)


def parse_mqtt(top: Section, base_dir: Path) -> MqttConfig | None:
    table = top.get("mqtt", dict, None)
    if table is None:
        return None
    section = Section(top.source, "mqtt", table)
    url = section.get("url", str, "mqtt://127.0.0.1:1883")
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname or parts.path not in ("", "/") \
            or parts.username or parts.query:
        raise section.fail("url", f"{url!r} is not mqtt://host[:port] or mqtts://host[:port]")
    try:
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    except ValueError:
        raise section.fail("url", f"{url!r} has no valid port") from None
    username = section.get("username", str, None)
    password_file = section.get("password_file", str, None)
    if password_file is not None and username is None:
        raise section.fail("password_file", "goes with username")
    password = _read_secret(section, "password_file", password_file, base_dir) if password_file else None
    prefix = section.get("topic_prefix", str, "lanebox/cameras").strip("/")
    if not TOPIC_PREFIX.match(prefix) or "//" in prefix:
        raise section.fail("topic_prefix", "letters, digits, '_', '.', '-' and '/' only (no MQTT wildcards)")
    client_id = section.get("client_id", str, "lanebox-lane")
    if not 1 <= len(client_id) <= 64:
        raise section.fail("client_id", "1-64 characters")
    ca = section.get("ca_file", str, None)
    ca_file = config_path(ca, base_dir) if ca is not None else None
    if ca_file is not None and (parts.scheme != "mqtts" or not ca_file.is_file()):
        raise section.fail("ca_file", "only with mqtts://" if parts.scheme != "mqtts" else f"no such file: {ca_file}")
    section.done()
    return MqttConfig(host=parts.hostname, port=port, tls=parts.scheme == "mqtts", username=username,
                      password=password, topic_prefix=prefix, client_id=client_id, ca_file=ca_file)


def _read_secret(section: Section, key: str, value: str, base_dir: Path) -> str:
    path = config_path(value, base_dir)
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise section.fail(key, f"cannot read {path}: {exc}") from None
    if not secret:
        raise section.fail(key, f"{path} is empty")
    return secret
