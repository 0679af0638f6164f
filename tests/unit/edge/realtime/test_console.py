"""The raw console over a real Socket.IO client against a real `lanebox serve`:
technicians see a device's bytes both ways; officers are refused."""

from __future__ import annotations

from edge.realtime.console import printable


def test_printable_names_control_bytes() -> None:
    assert printable(b"S S     100 kg\r\n") == "S S     100 kg<CR><LF>"
    assert printable(b"\x02\x1b\xff") == "<STX><1B><FF>"


