"""The machine's serial ports, as a technician needs to pick one.

Stable ``/dev/serial/by-id`` names come first: a USB adapter that is
re-plugged may come back as another ttyUSB number, its by-id link does not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from serial.tools import list_ports

BY_ID = Path("/dev/serial/by-id")


def _by_id_links(by_id_dir: Path) -> dict[str, str]:
    """Real device path → its by-id link."""
    links: dict[str, str] = {}
    if by_id_dir.is_dir():
        for link in sorted(by_id_dir.iterdir()):
            links[os.path.realpath(link)] = str(link)
    return links


def list_serial_ports(by_id_dir: Path = BY_ID) -> list[dict[str, Any]]:
    """Every serial port pyserial sees, with VID:PID, serial number and by-id link."""
    links = _by_id_links(by_id_dir)
    ports = []
    for info in list_ports.comports():
        vid_pid = f"{info.vid:04X}:{info.pid:04X}" if info.vid is not None and info.pid is not None else None
        by_id = links.get(os.path.realpath(info.device))
        ports.append({
            "device": info.device,
            "by_id": by_id,
            "open_with": by_id or info.device,
            "description": info.description if info.description != "n/a" else None,
            "vid_pid": vid_pid,
            "serial_number": info.serial_number,
            "manufacturer": info.manufacturer,
            "hwid": info.hwid,
        })
    listed = {os.path.realpath(p["device"]) for p in ports}
    for target, link in links.items():  # a by-id name is a serial port even where pyserial's scan misses it
        if target not in listed:
            ports.append({"device": target, "by_id": link, "open_with": link, "description": None,
                          "vid_pid": None, "serial_number": None, "manufacturer": None, "hwid": None})
    ports.sort(key=lambda p: (p["by_id"] is None, p["device"]))
    return ports
