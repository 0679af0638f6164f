"""The technician's device routes: the machine's serial ports, adding,
changing and removing devices at run time, trying a connection first, and
diagnostics (a raw command, a driver restart).

Every change to the lane's devices is an event with who made it
(:mod:`edge.devices.setup`); a raw command is one too, since it may zero or
adjust a scale. Technicians and supervisors only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.roles import TECHNICIANS
from common.web.errors import ApiError, conflict
from common.web.routing import current_session, endpoint, lane_server, obj
from drivers.base import PARITIES, DeviceError, NotConnected
from drivers.port_list import list_serial_ports
from drivers.registry import DRIVERS, KINDS
from edge.api.devices import device_or_404
from edge.config import SCALE_USES, ConfigError, DeviceConfig
from edge.devices.probe import probe
from edge.devices.setup import ADDED, CHANGED, REMOVED, change_payload, device_from_table

bp = Blueprint("technician", __name__, url_prefix="/api/v1")

DEVICE_FIELDS: dict[str, Any] = {
    "id": {"type": "string", "pattern": r"^[A-Za-z0-9_.-]{1,64}$"},
    "kind": {"enum": list(KINDS)},
    "driver": {"enum": sorted(DRIVERS)},
    "port": {"type": "string", "minLength": 1, "maxLength": 512},
    "baudrate": {"type": "integer", "minimum": 50, "maximum": 4_000_000},
    "bytesize": {"enum": [5, 6, 7, 8]},
    "parity": {"enum": list(PARITIES)},
    "stopbits": {"enum": [1, 1.5, 2]},
    "xonxoff": {"type": "boolean"},
    "rtscts": {"type": "boolean"},
    "calibration_interval_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650},
    "use": {"enum": list(SCALE_USES), "description": "a scale's use: weighing vehicles, or seized goods and bags"},
    # their keys are checked by the config's own rules (edge.config.parse_device), named on a 400
    "frame": {"type": "object", "maxProperties": 32,
              "description": "the stream driver's frame: pattern or template, units, flags (docs/protocols.md)"},
    "registers": {"type": "object", "maxProperties": 32,
                  "description": "the modbus driver's register map (docs/protocols.md)"},
}
DEVICE = obj(DEVICE_FIELDS, required=("id", "kind", "driver", "port"))
CHANGE = obj({k: v for k, v in DEVICE_FIELDS.items() if k != "id"}, required=("kind", "driver", "port"))
COMMAND = obj({"command": {"type": "string", "minLength": 1, "maxLength": 200}}, required=("command",))
SERIAL_DEFAULTS = {"baudrate": 9600, "bytesize": 8, "parity": "N", "stopbits": 1, "xonxoff": False, "rtscts": False}


def _device(table: dict[str, Any]) -> DeviceConfig:
    """The form's device, checked by the config file's rules (field named on a 400)."""
    clean = {k: v for k, v in table.items() if v is not None}
    try:
        return device_from_table(clean, lane_server().config.device_ports)
    except ConfigError as exc:
        raise ApiError(400, "invalid_field", f"{exc.key}: {exc.problem}", field=exc.key) from None


def _port_taken(device: DeviceConfig) -> None:
    """Two devices on one port would fight over it: refuse."""
    for other in lane_server().devices.devices.values():
        if other.config.id != device.id and other.config.port == device.port:
            raise conflict(f"{device.port} is already the port of {other.config.id}", "port_in_use")


@endpoint(bp, "/ports", "GET", roles=TECHNICIANS,
          summary="The machine's serial ports (by-id names first), with description and VID:PID")
def ports() -> Any:
    server = lane_server()
    in_use = {state.config.port: device_id for device_id, state in server.devices.devices.items()}
    listed = list_serial_ports(server.config.serial_by_id_dir)
    for port in listed:
        port["used_by"] = in_use.get(port["open_with"]) or in_use.get(port["device"])
    return {"ports": listed}


@endpoint(bp, "/drivers", "GET", roles=TECHNICIANS, summary="The drivers a device can use, by kind")
def drivers() -> Any:
    return {"drivers": [{"name": e.name, "kind": e.kind} for e in DRIVERS.values()], "serial_defaults": SERIAL_DEFAULTS}


@endpoint(bp, "/devices/test-connection", "POST", roles=TECHNICIANS, body=DEVICE,
          summary="Try a device before saving it: open the port, identify, read, close")
def test_connection(body: dict[str, Any]) -> Any:
    device = _device(body)
    _port_taken(device)
    server = lane_server()
    current = server.devices.get(device.id)
    paused = current is not None and current.config.port == device.port
    if paused:  # the device being edited holds the port: let go of it for the test
        current.driver.stop()
    try:
        return probe(device)
    finally:
        if paused:
            server.devices.restart(device.id)


@endpoint(bp, "/devices", "POST", roles=TECHNICIANS, body=DEVICE, status=201,
          summary="Add a device to the lane (an event; kept across restarts)")
def add_device(body: dict[str, Any]) -> Any:
    device = _device(body)
    server = lane_server()
    if server.devices.get(device.id) is not None:
        raise conflict(f"there is already a device {device.id!r}", "device_exists")
    _port_taken(device)
    server.store.append(ADDED, change_payload(device), current_session().username)
    server.devices.put(device)
    server.calibration_watch.refresh()
    return server.devices.get(device.id).describe()


@endpoint(bp, "/devices/<device_id>", "PUT", roles=TECHNICIANS, body=CHANGE,
          summary="Change a device's driver, port, serial settings or calibration interval")
def change_device(device_id: str, body: dict[str, Any]) -> Any:
    device_or_404(device_id)
    device = _device({**body, "id": device_id})
    _port_taken(device)
    server = lane_server()
    server.store.append(CHANGED, change_payload(device), current_session().username)
    server.devices.put(device)
    server.calibration_watch.refresh()
    return server.devices.get(device_id).describe()


@endpoint(bp, "/devices/<device_id>", "DELETE", roles=TECHNICIANS, summary="Remove a device from the lane")
def remove_device(device_id: str) -> Any:
    device_or_404(device_id)
    server = lane_server()
    event = server.store.append(REMOVED, {"device_id": device_id}, current_session().username).event
    server.devices.remove(device_id)
    return {"ok": True, "device_id": device_id, "event_id": event["id"]}


@endpoint(bp, "/devices/<device_id>/command", "POST", roles=TECHNICIANS, body=COMMAND,
          summary="Send one raw command (protocols that take commands, e.g. MT-SICS) and get the answer")
def command(device_id: str, body: dict[str, Any]) -> Any:
    state = device_or_404(device_id)
    send = getattr(state.driver, "send_command", None)
    if not callable(send):
        raise conflict(f"{state.config.driver} takes no commands", "no_commands")
    try:
        reply = send(body["command"])
    except ValueError as exc:
        raise ApiError(400, "invalid_field", f"command: {exc}", field="command") from None
    except NotConnected as exc:
        raise ApiError(503, "device_unavailable", str(exc)) from None
    except DeviceError as exc:
        raise conflict(str(exc), "no_answer") from None
    event = lane_server().store.append("device.command_sent", {"device_id": device_id, "command": body["command"],
                                                               "reply": reply}, current_session().username).event
    return {"device_id": device_id, "command": body["command"], "reply": reply, "event_id": event["id"]}


@endpoint(bp, "/devices/<device_id>/restart", "POST", roles=TECHNICIANS,
          summary="Restart a device's driver: close the port, open it again, identify")
def restart(device_id: str) -> Any:
    device_or_404(device_id)
    server = lane_server()
    server.store.append("device.restarted", {"device_id": device_id}, current_session().username)
    server.devices.restart(device_id)
    return server.devices.get(device_id).describe()
