"""The lane's TOML config (docs/contract.md), checked before anything starts.

It follows :mod:`common.config`'s rules: one :class:`~common.config.ConfigError`
line per problem, naming file, key and what is wrong; unknown keys are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.clock import box_zone_name, zone
from common.config import ConfigError, Section, config_path, parse_tls, read_toml
from common.erasure import RetentionPeriods, parse_retention
from common.web.client import Network, trusted_proxies
from common.web.limits import ServerLimits, parse_limits
from drivers.base import SerialSettings
from drivers.modbus_scale import RegisterMap, RegisterMapError
from drivers.port_rules import PortPolicy, PortRefused, check_openable, network_host
from drivers.registry import DRIVERS, KINDS
from drivers.stream import FrameError, FrameSpec
from edge.cameras.config import CameraConfig, MqttConfig, parse_cameras, parse_mqtt
from edge.vehicles.settings import VehicleSettings, parse_vehicle_settings
from sync.identity import parse_key

#: what a scale is for: a weighbridge weighs vehicles, a bench scale seized goods and bags
SCALE_USES = ("weighbridge", "bench")
SERIAL_KEYS = ("baudrate", "bytesize", "parity", "stopbits", "xonxoff", "rtscts")


@dataclass(frozen=True)
class DeviceConfig:
    id: str
    kind: str
    driver: str
    port: str
    serial: SerialSettings = field(default_factory=SerialSettings)
    calibration_interval_days: int | None = None
    frame: FrameSpec | None = None  # the ``stream`` driver's frame (docs/protocols.md section 8)
    registers: RegisterMap | None = None  # the ``modbus`` driver's register map (section 9)
    #: what a scale weighs: vehicles (``weighbridge``) or seized goods and evidence bags (``bench``)
    use: str | None = None


@dataclass(frozen=True)
class UpstreamConfig:
    """``[upstream]``: the hub's URL (None: found by mDNS), this lane's sync
    token, the CA file that signed the hub's certificate (None: the system's
    trust store), and how often reference data and the user roster are pulled.
    ``hub_key`` is the hub's public key pinned at registration (``ed25519:...``):
    the lane sends its token only to a hub that proves it holds it. It may be
    left out only with an ``https://`` url, whose certificate then vouches for the hub."""

    url: str | None
    token: str | None
    ca_file: Path | None = None
    pull_interval_s: float = 30.0
    hub_key: str | None = None


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
    trusted_proxies: tuple[Network, ...] = ()  # reverse proxies whose X-Forwarded-For is believed
    weight_tolerance_pct: float = 5.0
    tls: tuple[Path, Path] | None = None  # (certificate chain, private key): serve HTTPS
    serial_by_id_dir: Path = Path("/dev/serial/by-id")  # where the stable port names the port list shows first live
    limits: ServerLimits = ServerLimits()  # max_connections, read_timeout_s (docs/server.md)
    #: the IANA zone printed records show local time in (``[lane] timezone``; default the box's own)
    timezone: str = "UTC"
    device_ports: PortPolicy = PortPolicy()  # which ports devices may use: serial paths, [terminal_servers] hosts
    cameras: tuple[CameraConfig, ...] = ()  # [[cameras]]: plate and container cameras (docs/cameras.md)
    mqtt: MqttConfig | None = None  # [mqtt]: the broker camera events are read from
    #: ``[lane] interlock``: a weight is attached only once the vehicle's radiation scan ended clear
    #: (docs/officer-api.md)
    interlock: bool = False
    vehicles: VehicleSettings = VehicleSettings()  # ``[vehicles]``: matching camera reads to vehicles
    #: ``[retention]``: days a case's personal data is kept after it closed, per record type (docs/evidence.md)
    retention: RetentionPeriods = RetentionPeriods({})


def load_config(path: str | Path) -> LaneConfig:
    """Read and validate a lane config file; raises :class:`ConfigError`."""
    raw, source, base_dir = read_toml(path)
    return parse_config(raw, source=source, base_dir=base_dir)


def parse_config(raw: dict[str, Any], *, source: str = "<config>", base_dir: Path = Path(".")) -> LaneConfig:
    """Validate an already-parsed config mapping (what ``lanebox demo`` builds)."""
    top = Section(source, "", raw)
    lane = Section(source, "lane", top.get("lane", dict, required=True))
    lane_id = lane.site_id()
    lane_name = lane.get("name", str, lane_id)
    timezone = lane.get("timezone", str, None) or box_zone_name()
    try:
        zone(timezone)
    except ValueError as exc:
        raise lane.fail("timezone", str(exc)) from None
    interlock = lane.get("interlock", bool, False)
    lane.done()

    server = Section(source, "server", top.get("server", dict, required=True))
    host = server.get("host", str, "127.0.0.1")
    port = server.port("port", 8080)
    data_dir = config_path(server.get("data_dir", str, required=True), base_dir)
    session_ttl_s = server.get("session_ttl_s", int, 12 * 3600)
    proxies = trusted_proxies(server)
    if session_ttl_s < 60:
        raise server.fail("session_ttl_s", "must be at least 60 seconds")
    tls = parse_tls(server, base_dir)
    by_id = config_path(server.get("serial_by_id_dir", str, "/dev/serial/by-id"), base_dir)
    limits = parse_limits(server, ServerLimits())
    server.done()

    upstream = None
    if "upstream" in raw:
        up = Section(source, "upstream", top.get("upstream", dict))
        url = up.get("url", str, None)
        if url is not None and not re.match(r"^https?://[^\s/]+", url):
            raise up.fail("url", f"{url!r} is not an http(s) URL")
        ca_file = up.get("ca_file", str, None)
        ca_path = config_path(ca_file, base_dir) if ca_file is not None else None
        if ca_path is not None and not ca_path.is_file():
            raise up.fail("ca_file", f"no such file: {ca_path}")
        pull_interval_s = float(up.get("pull_interval_s", (int, float), 30.0))
        if not 1 <= pull_interval_s <= 3600:
            raise up.fail("pull_interval_s", "must be between 1 and 3600 seconds")
        token, hub_key = up.get("token", str, None), up.get("hub_key", str, None)
        if hub_key is not None:
            try:
                parse_key(hub_key)
            except ValueError as exc:
                raise up.fail("hub_key", str(exc)) from None
        elif token and not (url or "").startswith("https://"):
            raise up.fail("hub_key", "required unless url is https: the hub key `lanebox hub add-lane` "
                                     "printed, so that the token goes only to a hub that proves it holds it")
        upstream = UpstreamConfig(url=url, token=token, ca_file=ca_path, pull_interval_s=pull_interval_s,
                                  hub_key=hub_key)
        up.done()

    tolerance = 5.0
    if "inspection" in raw:
        insp = Section(source, "inspection", top.get("inspection", dict))
        tolerance = float(insp.get("weight_tolerance_pct", (int, float), 5.0))
        if not 0 < tolerance < 100:
            raise insp.fail("weight_tolerance_pct", "must be between 0 and 100")
        insp.done()

    device_ports = PortPolicy(network_hosts=parse_terminal_servers(top), device_dir=by_id)
    vehicles = parse_vehicle_settings(top)
    devices_raw = top.get("devices", list, [])
    devices = tuple(parse_device(source, f"devices[{i}]", d, device_ports) for i, d in enumerate(devices_raw))
    seen: set[str] = set()
    for i, device in enumerate(devices):
        if device.id in seen:
            raise ConfigError(source, f"devices[{i}].id", f"duplicate device id {device.id!r}")
        seen.add(device.id)
    cameras, mqtt = parse_cameras(top, base_dir), parse_mqtt(top, base_dir)
    retention = parse_retention(top)
    top.done()
    return LaneConfig(lane_id=lane_id, lane_name=lane_name, timezone=timezone, host=host, port=port,
                      data_dir=data_dir,
                      devices=devices, upstream=upstream, source=source, session_ttl_s=session_ttl_s,
                      trusted_proxies=proxies,
                      weight_tolerance_pct=tolerance, tls=tls, serial_by_id_dir=by_id, limits=limits,
                      device_ports=device_ports, interlock=interlock, vehicles=vehicles, cameras=cameras, mqtt=mqtt,
                      retention=retention)


def parse_terminal_servers(top: Section) -> frozenset[str]:
    """``[terminal_servers] hosts``: the only hosts a device's ``socket://`` or
    ``rfc2217://`` port may reach (none by default: a port is not a way out
    of the box to anywhere on the network)."""
    table = top.get("terminal_servers", dict, None)
    if table is None:
        return frozenset()
    section = Section(top.source, "terminal_servers", table)
    hosts = section.get("hosts", list, required=True)
    for host in hosts:
        if not isinstance(host, str) or not re.match(r"^\[?[A-Za-z0-9.:-]{1,253}\]?$", host):
            raise section.fail("hosts", f"{host!r} is not a host name or address")
    section.done()
    return frozenset(network_host(host) for host in hosts)


def parse_device(source: str, where: str, raw: Any, ports: PortPolicy | None) -> DeviceConfig:
    """One ``[[devices]]`` table (or a technician's device form, same keys);
    ``where`` names it in the error, e.g. ``devices[2]``; its port must be
    one ``ports`` allows (None: one any driver may open, for a caller that
    does not know the lane's policy)."""
    section = Section(source, where, raw)
    device_id = section.local_id()
    kind = section.one_of("kind", KINDS, required=True)
    driver = section.get("driver", str, required=True)
    if driver not in DRIVERS:
        raise section.fail("driver", f"unknown driver {driver!r} (known: {', '.join(sorted(DRIVERS))})")
    if DRIVERS[driver].kind != kind:
        raise section.fail("driver", f"{driver!r} drives a {DRIVERS[driver].kind}, not a {kind}")
    port = section.get("port", str, required=True)
    if not port.strip():
        raise section.fail("port", "must not be empty")
    transport = DRIVERS[driver].transport
    try:
        ports.check(port, transport) if ports is not None else check_openable(port, transport)
    except PortRefused as exc:
        raise section.fail("port", str(exc)) from None
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
    frame = parse_driver_settings(section, driver, "frame")
    registers = parse_driver_settings(section, driver, "registers")
    use = section.one_of("use", SCALE_USES, SCALE_USES[0]) if kind == "scale" else section.get("use", str, None)
    if kind != "scale" and use is not None:
        raise section.fail("use", "only a scale has a use (weighbridge or bench)")
    section.done()
    return DeviceConfig(id=device_id, kind=kind, driver=driver, port=port, serial=settings,
                        calibration_interval_days=interval, frame=frame, registers=registers, use=use)


#: settings table → (the driver that needs it, what it describes, its parser, its error)
DRIVER_SETTINGS: dict[str, tuple[str, str, Any, type[ValueError]]] = {
    "frame": ("stream", "a preset, a template or a pattern", FrameSpec.from_table, FrameError),
    "registers": ("modbus", "a preset or where the weight and status are", RegisterMap.from_table, RegisterMapError),
}


def parse_driver_settings(section: Section, driver: str, key: str) -> Any:
    """A device's ``frame`` / ``registers`` table: required by the driver it describes, refused by every other."""
    owner, what, parse, error = DRIVER_SETTINGS[key]
    table = section.get(key, dict, None)
    if driver != owner:
        if table is not None:
            raise section.fail(key, f"only the {owner} driver takes {key}, not {driver!r}")
        return None
    if table is None:
        raise section.fail(key, f"the {owner} driver needs {key}: {what}")
    try:
        return parse(table)
    except error as exc:
        raise section.fail(f"{key}.{exc.key}", exc.problem) from None  # type: ignore[attr-defined]


def device_table(device: DeviceConfig) -> dict[str, Any]:
    """The device as the TOML table (and event payload) that :func:`parse_device` reads back."""
    serial = device.serial
    table: dict[str, Any] = {"id": device.id, "kind": device.kind, "driver": device.driver, "port": device.port,
                             "baudrate": serial.baudrate, "bytesize": serial.bytesize, "parity": serial.parity,
                             "stopbits": serial.stopbits, "xonxoff": serial.xonxoff, "rtscts": serial.rtscts}
    if device.calibration_interval_days is not None:
        table["calibration_interval_days"] = device.calibration_interval_days
    if device.frame is not None:
        table["frame"] = device.frame.as_table()
    if device.registers is not None:
        table["registers"] = device.registers.as_table()
    if device.use is not None:
        table["use"] = device.use
    return table
