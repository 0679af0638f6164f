"""The adapters as pure functions: each vendor's scale and envelope."""

from __future__ import annotations

import pytest

from edge.cameras.formats import FORMATS
from edge.cameras.push import Push
from edge.cameras.reads import NotARead, ReadRefused
from tests.unit.edge.cameras.conftest import sample


def test_older_hikvision_firmware_namespace_reads_the_same():
    old = sample("hikvision_anpr.xml").replace(b"http://www.isapi.org/ver20/XMLSchema",
                                               b"http://www.hikvision.com/ver20/XMLSchema")
    read = FORMATS["hikvision"].parse(Push("application/xml", old))
    assert (read.plate.text, read.plate.confidence) == ("KHN512", 0.93)
    assert read.vendor_event_id == "b8b3d5a2-7f39-4e10-a1c4-2b9e8a3c0d11"


def test_hikvision_unknown_plate_is_not_a_read():
    with pytest.raises(NotARead):
        FORMATS["hikvision"].parse(Push("application/xml", sample("hikvision_anpr.xml").replace(
            b"<licensePlate>KHN512<", b"<licensePlate>unknown<")))
    with pytest.raises(ReadRefused):  # 0-100 scale: 101 is no confidence
        FORMATS["hikvision"].parse(Push("application/xml", sample("hikvision_anpr.xml").replace(
            b"<confidenceLevel>93<", b"<confidenceLevel>101<")))


def test_onvif_reads_both_envelopes():
    axis = FORMATS["onvif"].parse(Push("application/json", sample("onvif_axis_bridge.json")))
    message = FORMATS["onvif"].parse(Push("application/json", sample("onvif_message.json")))
    assert (axis.plate.text, axis.plate.confidence, axis.captured_at) == ("KHN512", 0.88, "2025-03-14T08:47:05.509Z")
    assert (message.plate.text, message.plate.confidence) == ("KHN512", 0.75)
    with pytest.raises(NotARead):
        FORMATS["onvif"].parse(Push("application/json", b'{"UtcTime": null, "Data": {"State": "1"}}'))


def test_plate_recognizer_snapshot_time_without_offset_is_utc_as_documented():
    read = FORMATS["platerecognizer"].parse(Push("application/json", sample("platerecognizer_snapshot.json")))
    assert read.captured_at == "2025-03-14T08:47:05.030Z" and read.plate.text == "PL4521X"
    with pytest.raises(NotARead):
        FORMATS["platerecognizer"].parse(Push("application/json", b'{"hook": {}, "data": {"results": []}}'))
