"""The lane's TOML config (shared/CONTRACT.md), checked before anything starts.

Every problem becomes one :class:`ConfigError` line naming the file, the
key and what is wrong, so an installer fixes it without reading a
traceback. Unknown keys are errors too: a misspelt ``baudrat`` silently
ignored is a scale that never answers.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.base import SerialSettings
from drivers.registry import DRIVERS, KINDS

LANE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
SERIAL_KEYS = ("baudrate", "bytesize", "parity", "stopbits", "xonxoff", "rtscts")


class ConfigError(Exception):
    """One line: ``file: key: what is wrong``."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.key, self.problem = key, problem
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")


@dataclass(frozen=True)
class DeviceConfig:
    id: str
    kind: str
    driver: str
    port: str
    serial: SerialSettings = field(default_factory=SerialSettings)
    calibration_interval_days: int | None = None


@dataclass(frozen=True)
class UpstreamConfig:
    """``[upstream]``: the hub's URL (None: found by mDNS), this lane's sync
    token, the CA file that signed the hub's certificate (None: the system's
    trust store), and how often reference data and the user roster are pulled."""

    url: str | None
    token: str | None
    ca_file: Path | None = None
    pull_interval_s: float = 30.0


@dataclass(frozen=True)
class LaneConfig:
    lane_id: str
    lane_name: str
    host: str
    port: int
    data_dir: Path
    devices: tuple[DeviceConfig, ...]
    upstream: UpstreamConfig | None = None
    source: str = "<config>"
    session_ttl_s: int = 12 * 3600
    weight_tolerance_pct: float = 5.0
    tls: tuple[Path, Path] | None = None  # (certificate chain, private key): serve HTTPS
    serial_by_id_dir: Path = Path("/dev/serial/by-id")  # where the stable port names the port list shows first live


class Section:
    """Reads typed keys from one table and remembers which were used."""

    def __init__(self, source: str, prefix: str, table: Any) -> None:
        self.source, self.prefix = source, prefix
        if not isinstance(table, dict):
            raise ConfigError(source, prefix, "must be a table")
        self.table = table
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.source, self.key(name), problem)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., *, required: bool = False) -> Any:
        self.used.add(name)
        if name not in self.table:
            if required or default is ...:
                raise self.fail(name, "missing (required)")
            return default
        value = self.table[name]
        if isinstance(value, bool) and kind is not bool and (not isinstance(kind, tuple) or bool not in kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, not {type(value).__name__} {value!r}")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.fail(unknown[0], "unknown key")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def load_config(path: str | Path) -> LaneConfig:
    """Read and validate a lane config file; raises :class:`ConfigError`."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, "", f"cannot read: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"not valid TOML: {exc}") from None
    return parse_config(raw, source=source, base_dir=path.resolve().parent)


def parse_config(raw: dict[str, Any], *, source: str = "<config>", base_dir: Path = Path(".")) -> LaneConfig:
    """Validate an already-parsed config mapping (what ``lanebox demo`` builds)."""
    top = Section(source, "", raw)
    lane = Section(source, "lane", top.get("lane", dict, required=True))
    lane_id = lane.get("id", str, required=True)
    if not LANE_ID.match(lane_id):
        raise lane.fail("id", "letters, digits and '-' only (1-64 characters)")
    lane_name = lane.get("name", str, lane_id)
    lane.done()

    server = Section(source, "server", top.get("server", dict, required=True))
    host = server.get("host", str, "127.0.0.1")
    port = server.get("port", int, 8080)
    if not 0 <= port <= 65535:
        raise server.fail("port", f"{port} is not a TCP port (0-65535)")
    data_dir = _path(server.get("data_dir", str, required=True), base_dir)
    session_ttl_s = server.get("session_ttl_s", int, 12 * 3600)
    if session_ttl_s < 60:
        raise server.fail("session_ttl_s", "must be at least 60 seconds")
    tls = parse_tls(server, base_dir)
    by_id = _path(server.get("serial_by_id_dir", str, "/dev/serial/by-id"), base_dir)
    server.done()

    upstream = None
    if "upstream" in raw:
        up = Section(source, "upstream", top.get("upstream", dict))
        url = up.get("url", str, None)
        if url is not None and not re.match(r"^https?://[^\s/]+", url):
            raise up.fail("url", f"{url!r} is not an http(s) URL")
        ca_file = up.get("ca_file", str, None)
        ca_path = _path(ca_file, base_dir) if ca_file is not None else None
        if ca_path is not None and not ca_path.is_file():
            raise up.fail("ca_file", f"no such file: {ca_path}")
        pull_interval_s = float(up.get("pull_interval_s", (int, float), 30.0))
        if not 1 <= pull_interval_s <= 3600:
            raise up.fail("pull_interval_s", "must be between 1 and 3600 seconds")
        upstream = UpstreamConfig(url=url, token=up.get("token", str, None), ca_file=ca_path,
                                  pull_interval_s=pull_interval_s)
        up.done()

    tolerance = 5.0
    if "inspection" in raw:
        insp = Section(source, "inspection", top.get("inspection", dict))
        tolerance = float(insp.get("weight_tolerance_pct", (int, float), 5.0))
        if not 0 < tolerance < 100:
            raise insp.fail("weight_tolerance_pct", "must be between 0 and 100")
        insp.done()

    devices_raw = top.get("devices", list, [])
    devices = tuple(parse_device(source, f"devices[{i}]", d) for i, d in enumerate(devices_raw))
    seen: set[str] = set()
    for i, device in enumerate(devices):
        if device.id in seen:
            raise ConfigError(source, f"devices[{i}].id", f"duplicate device id {device.id!r}")
        seen.add(device.id)
    top.done()
    return LaneConfig(lane_id=lane_id, lane_name=lane_name, host=host, port=port, data_dir=data_dir,
                      devices=devices, upstream=upstream, source=source, session_ttl_s=session_ttl_s,
                      weight_tolerance_pct=tolerance, tls=tls, serial_by_id_dir=by_id)


def _path(value: str, base_dir: Path) -> Path:
    """A path from the config: relative ones resolve against the config file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base_dir / path).resolve()


def parse_tls(section: Section, base_dir: Path) -> tuple[Path, Path] | None:
    """``tls_cert`` and ``tls_key`` (both or neither), as existing files.

    Tablets need HTTPS on the lane network: browsers give the service
    worker (offline use), crypto.randomUUID and persistent storage only to
    secure origins — plain http works only on 127.0.0.1.
    """
    cert, key = section.get("tls_cert", str, None), section.get("tls_key", str, None)
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise section.fail("tls_key" if key is None else "tls_cert", "tls_cert and tls_key go together")
    paths = []
    for name, value in (("tls_cert", cert), ("tls_key", key)):
        path = _path(value, base_dir)
        if not path.is_file():
            raise section.fail(name, f"no such file: {path}")
        paths.append(path)
    return paths[0], paths[1]


def parse_device(source: str, where: str, raw: Any) -> DeviceConfig:
    """One ``[[devices]]`` table (or a technician's device form, same keys);
    ``where`` names it in the error, e.g. ``devices[2]``."""
    section = Section(source, where, raw)
    device_id = section.get("id", str, required=True)
    if not DEVICE_ID.match(device_id):
        raise section.fail("id", "letters, digits, '.', '_' and '-' only (1-64 characters)")
    kind = section.get("kind", str, required=True)
    if kind not in KINDS:
        raise section.fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    driver = section.get("driver", str, required=True)
    if driver not in DRIVERS:
        raise section.fail("driver", f"unknown driver {driver!r} (known: {', '.join(sorted(DRIVERS))})")
    if DRIVERS[driver].kind != kind:
        raise section.fail("driver", f"{driver!r} drives a {DRIVERS[driver].kind}, not a {kind}")
    port = section.get("port", str, required=True)
    if not port.strip():
        raise section.fail("port", "must not be empty")
    serial_values = {}
    for key in SERIAL_KEYS:
        kinds: Any = {"baudrate": int, "bytesize": int, "parity": str, "stopbits": (int, float),
                      "xonxoff": bool, "rtscts": bool}[key]
        if key in section.table:
            serial_values[key] = section.get(key, kinds)
        else:
            section.used.add(key)
    try:
        settings = SerialSettings(**serial_values)
    except ValueError as exc:
        bad = next((k for k in SERIAL_KEYS if k in str(exc)), "baudrate")
        raise section.fail(bad, str(exc)) from None
    interval = section.get("calibration_interval_days", int, None)
    if interval is not None and interval < 1:
        raise section.fail("calibration_interval_days", "must be at least 1")
    section.done()
    return DeviceConfig(id=device_id, kind=kind, driver=driver, port=port, serial=settings,
                        calibration_interval_days=interval)


def device_table(device: DeviceConfig) -> dict[str, Any]:
    """The device as the TOML table (and event payload) that :func:`parse_device` reads back."""
    serial = device.serial
    table: dict[str, Any] = {"id": device.id, "kind": device.kind, "driver": device.driver, "port": device.port,
                             "baudrate": serial.baudrate, "bytesize": serial.bytesize, "parity": serial.parity,
                             "stopbits": serial.stopbits, "xonxoff": serial.xonxoff, "rtscts": serial.rtscts}
    if device.calibration_interval_days is not None:
        table["calibration_interval_days"] = device.calibration_interval_days
    return table
