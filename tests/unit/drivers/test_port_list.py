"""Port listing puts stable /dev/serial/by-id names first."""

from __future__ import annotations

import os

from serial.tools import list_ports_common

import drivers.port_list as port_list


def test_by_id_links_are_found_and_listed_first(tmp_path, monkeypatch):
    usb = list_ports_common.ListPortInfo(str(tmp_path / "ttyUSB0"), skip_link_detection=True)
    usb.vid, usb.pid, usb.serial_number, usb.description = 0x0403, 0x6001, "A10K1234", "FT232R USB UART"
    plain = list_ports_common.ListPortInfo(str(tmp_path / "ttyS0"), skip_link_detection=True)
    (tmp_path / "ttyUSB0").touch()
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    os.symlink(tmp_path / "ttyUSB0", by_id / "usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0")
    monkeypatch.setattr(port_list.list_ports, "comports", lambda: [plain, usb])

    ports = port_list.list_serial_ports(by_id)
    assert [p["device"] for p in ports] == [str(tmp_path / "ttyUSB0"), str(tmp_path / "ttyS0")]
    first = ports[0]
    assert first["open_with"] == str(by_id / "usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0")
    assert first["vid_pid"] == "0403:6001" and first["serial_number"] == "A10K1234"
    assert ports[1]["by_id"] is None and ports[1]["open_with"] == str(tmp_path / "ttyS0")
