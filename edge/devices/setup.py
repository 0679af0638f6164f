"""Devices a technician adds, changes or removes, and supervisors lock, while the lane runs.

The config file stays the starting point; every change made through the
technician's screens is an event (``device.added``, ``device.changed``,
``device.removed``) carrying the whole device table in the config's own
keys, so it is checked by the same rules, kept with who made it and why,
and replayed over the config at every start. Editing the config file later
still works for devices nobody has touched at run time; a device changed at
run time keeps its run-time settings until it is changed again.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

from common.eventlog.store import EventStore
from drivers.port_rules import PortPolicy
from edge.config import ConfigError, DeviceConfig, device_table, parse_device
from edge.devices.manager import DeviceManager

log = logging.getLogger(__name__)

ADDED, CHANGED, REMOVED = "device.added", "device.changed", "device.removed"
EVENT_TYPES = [ADDED, CHANGED, REMOVED]


def device_from_table(table: dict[str, Any], ports: PortPolicy | None, source: str = "request") -> DeviceConfig:
    """A device from a form or an event, checked as the config file's
    ``[[devices]]`` are (its port against the lane's ``ports``); raises
    :class:`~edge.config.ConfigError`."""
    return parse_device(source, "", table, ports)


def change_payload(device: DeviceConfig, reason: str | None = None) -> dict[str, Any]:
    """The payload of a ``device.added`` / ``device.changed`` event."""
    payload: dict[str, Any] = {"device_id": device.id, "device": device_table(device)}
    if reason:
        payload["reason"] = reason
    return payload


def replay_changes(devices: dict[str, DeviceConfig], events: Iterable[dict[str, Any]],
                   ports: PortPolicy | None) -> dict[str, DeviceConfig]:
    """The devices after ``events`` (oldest first) are laid over ``devices``.

    Each stored device is checked again by today's rules, its port against
    ``ports`` (the config may have dropped a terminal server since, and an
    event from before a rule existed must not open what the rule refuses).
    An event whose device no longer passes is logged and skipped: the lane
    starts without that device rather than not at all. ``ports`` None: the
    caller does not know the lane's policy; the port is then only checked
    when opened (:func:`drivers.port_rules.check_openable`).
    """
    result = dict(devices)
    for event in events:
        payload = event["payload"]
        if event["type"] == REMOVED:
            result.pop(payload["device_id"], None)
            continue
        source = f"event {event['seq']} ({event['type']})"
        try:
            device = device_from_table(payload["device"], ports, source=source)
        except ConfigError as exc:
            log.error("device change not applied: %s", exc)
            continue
        result[device.id] = device
    return result


def apply_stored_changes(store: EventStore, manager: DeviceManager, ports: PortPolicy | None = None) -> None:
    """At start: bring the device manager from the config's devices to the stored ones,
    each port checked against the lane's ``ports`` (:func:`replay_changes`)."""
    configured = {device_id: state.config for device_id, state in manager.devices.items()}
    wanted = replay_changes(configured, store.replay(EVENT_TYPES), ports)
    for device_id in configured.keys() - wanted.keys():
        manager.remove(device_id)
    for device_id, device in wanted.items():
        if configured.get(device_id) != device:
            manager.put(device)


LOCKED, UNLOCKED = "device.locked", "device.unlocked"


def apply_stored_locks(store: EventStore, manager: DeviceManager) -> None:
    """At start: a supervisor's lock survives a restart (the last lock or unlock event of each device wins)."""
    locks: dict[str, dict[str, Any] | None] = {}
    for event in store.replay([LOCKED, UNLOCKED]):
        payload = event["payload"]
        locks[payload["device_id"]] = ({"by": event["actor"], "reason": payload["reason"], "at": event["ts"]}
                                       if event["type"] == LOCKED else None)
    for device_id, lock in locks.items():
        if manager.get(device_id) is not None:
            manager.set_locked(device_id, lock)
