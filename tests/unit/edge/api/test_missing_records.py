"""Records that do not exist take nothing (issue 12, item 14): a reading is
attached only to a calibration or check that was recorded, by a technician
or supervisor; a photo whose event id another event took is a clear 409,
and nothing of it is kept."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from edge.api.photos import PHOTO_EVENTS
from edge.store import lane_photos_path
from tests.support.officer_app import new_id
from tests.support.technician_bench import Bench, close_bench, make_bench
from tests.support.waiting import wait_for

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"item 14"


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    bench = make_bench(tmp_path)
    bench.config_devices = ("trace-1",)
    try:
        bench.start()
        bench.connected("trace-1")
        yield bench
    finally:
        close_bench(bench)


def recorded(bench: Bench, kind: str) -> str:
    """A ``calibration.recorded`` of ``kind`` for the trace detector; its event id."""
    payload = {"device_id": "trace-1", "kind": kind, "passed": True, "due_at": "2999-01-01T00:00:00Z"}
    return bench.server.store.append("calibration.recorded", payload, "tom").event["id"]


def attach(bench: Bench, record_type: str, record_id: str, user: str = "tom") -> tuple[int, dict]:
    response = bench.call("POST", "/attachments", user=user, json={
        "id": new_id(), "device_id": "trace-1", "record_type": record_type, "record_id": record_id})
    return response.status_code, response.get_json()


def test_a_reading_is_attached_only_to_a_recorded_calibration_or_check(bench: Bench) -> None:
    calibration, check = recorded(bench, "scale-r76"), recorded(bench, "etd-daily")
    inspection = bench.inspection()
    bench.sims["trace-1"].swab([])
    wait_for(lambda: bench.server.devices.get("trace-1").latest, message="a trace reading")
    events = bench.server.store.count()
    for record_type, record_id in (("calibration", str(uuid.uuid4())), ("check", str(uuid.uuid4())),
                                   ("calibration", check), ("check", calibration),
                                   ("calibration", inspection), ("check", "not-an-id")):
        status, body = attach(bench, record_type, record_id)
        assert (status, body["error"]["code"]) == (404, "not_found"), (record_type, record_id, body)
        assert f"{record_type} record" in body["error"]["message"]
    assert bench.server.store.count() == events  # nothing stored

    status, body = attach(bench, "check", check.upper())
    assert status == 201 and body["event"]["payload"]["check_id"] == check
    status, body = attach(bench, "calibration", calibration, user="sue")
    assert status == 201 and body["event"]["payload"]["calibration_id"] == calibration


def test_officers_do_not_attach_to_calibrations_or_checks(bench: Bench) -> None:
    calibration, check = recorded(bench, "scale-r76"), recorded(bench, "etd-daily")
    bench.sims["trace-1"].swab([])
    wait_for(lambda: bench.server.devices.get("trace-1").latest, message="a trace reading")
    events = bench.server.store.count()
    for record_type, record_id in (("calibration", calibration), ("check", check)):
        status, body = attach(bench, record_type, record_id, user="olga")
        assert (status, body["error"]["code"]) == (403, "forbidden")
    assert bench.server.store.count() == events


def test_a_photo_whose_event_id_was_claimed_is_refused_and_not_kept(officer_app) -> None:
    sha256 = hashlib.sha256(JPEG).hexdigest()
    claimed = str(uuid.uuid5(PHOTO_EVENTS, sha256))
    officer_app.ok("POST", "/inspections", {"id": claimed, "plate": "KHN 512", "containers": [],
                                            "inspection_type": "standard"})
    events = officer_app.events()
    upload = officer_app.call("POST", "/photos", data=JPEG, headers={"Content-Type": "image/jpeg"})
    assert upload.status_code == 409, upload.get_data(as_text=True)
    assert upload.get_json()["error"]["code"] == "photo_id_taken"
    assert officer_app.events() == events
    assert not (lane_photos_path(officer_app.server.config.data_dir) / sha256).exists()
    assert officer_app.call("GET", f"/photos/{sha256}").status_code == 404
