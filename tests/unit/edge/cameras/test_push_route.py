"""POST /api/v1/cameras/<id>/reads through the real Flask app, with each
vendor's documented body: what is stored, and what is refused with
nothing stored."""

from __future__ import annotations

import base64
import io
import json
import tracemalloc

from edge.cameras.reads import MAX_IMAGE_BYTES
from tests.unit.edge.cameras.conftest import TOKENS, CameraLane, jpeg, sample


def generic(**fields: object) -> bytes:
    return json.dumps({"plate": {"text": "KHN 512", "confidence": 0.9}, **fields}).encode()


def multipart(*parts: tuple[str, str, bytes]) -> dict[str, object]:
    """Test-client form data: (name, content type, bytes) as file parts."""
    return {name: (io.BytesIO(data), name, content_type) for name, content_type, data in parts}


def assert_nothing_stored(lane: CameraLane, events_before: int) -> None:
    assert lane.server.store.count() == events_before
    assert lane.photos() == []
    assert lane.heard == []


# -- each format -------------------------------------------------------------

def test_a_generic_read_with_its_image_is_one_event_one_photo_and_one_call_to_on_read(camera_lane: CameraLane):
    picture = jpeg()
    body = json.loads(sample("generic.json"))
    body["image"] = base64.b64encode(picture).decode()
    response = camera_lane.push("gate", json.dumps(body))
    assert response.status_code == 201, response.get_json()
    [event] = camera_lane.reads()
    assert event["actor"] == "camera:gate"
    payload = json.loads(event["payload"])
    assert payload["plate"] == {"text": "KHN512", "confidence": 0.94}
    assert payload["containers"] == [{"code": "MAEU7362056", "check_ok": True, "confidence": 0.97}]
    assert payload["captured_at"] == "2025-03-14T08:47:05.000Z"
    assert payload["format"] == "generic"
    assert payload["photo"]["content_type"] == "image/jpeg"
    assert camera_lane.photos() == [payload["photo"]["sha256"]]
    stored = camera_lane.server.photos.path(payload["photo"]["sha256"])
    assert stored is not None and stored.read_bytes() == picture
    assert [e["id"] for e in camera_lane.heard] == [event["id"]]
    assert camera_lane.heard[0]["payload"] == payload


def test_a_hikvision_anpr_alert_is_read_with_its_confidence_out_of_100(camera_lane: CameraLane):
    response = camera_lane.push("hik", sample("hikvision_anpr.xml"), "application/xml")
    assert response.status_code == 201, response.get_json()
    read = response.get_json()["read"]
    assert read["plate"] == {"text": "KHN512", "confidence": 0.93}
    assert read["captured_at"] == "2025-03-14T08:47:05.000Z" and read["photo"] is None


def test_a_hikvision_multipart_push_stores_the_plate_crop(camera_lane: CameraLane):
    crop, scene = jpeg("white"), jpeg("grey", (640, 360))
    data = multipart(("anpr.xml", "application/xml", sample("hikvision_anpr.xml")),
                     ("licensePlatePicture.jpg", "image/jpeg", crop), ("detectionPicture.jpg", "image/jpeg", scene))
    response = camera_lane.push("hik", data, "multipart/form-data")
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()["read"]["photo"]
    assert camera_lane.server.photos.path(photo["sha256"]).read_bytes() == crop
    assert camera_lane.photos() == [photo["sha256"]]


def test_a_hikvision_heartbeat_is_answered_and_not_stored(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    response = camera_lane.push("hik", sample("hikvision_heartbeat.xml"), "text/xml")
    assert response.status_code == 200 and response.get_json()["stored"] is False
    assert_nothing_stored(camera_lane, before)


def test_a_plate_recognizer_webhook_takes_its_best_result(camera_lane: CameraLane):
    response = camera_lane.push("pr", sample("platerecognizer_stream.json"))
    assert response.status_code == 201, response.get_json()
    read = response.get_json()["read"]
    assert read["plate"] == {"text": "KHN512", "confidence": 0.902}
    assert read["captured_at"] == "2025-03-14T08:47:05.606Z"


def test_a_plate_recognizer_webhook_with_image_stores_the_upload(camera_lane: CameraLane):
    picture = jpeg("yellow")
    data = {"json": sample("platerecognizer_snapshot.json").decode(), "upload": (io.BytesIO(picture), "lane3.jpg",
                                                                                   "image/jpeg")}
    response = camera_lane.push("pr", data, "multipart/form-data")
    assert response.status_code == 201, response.get_json()
    read = response.get_json()["read"]
    assert read["plate"]["text"] == "PL4521X"
    assert camera_lane.server.photos.path(read["photo"]["sha256"]).read_bytes() == picture


# -- resends ---------------------------------------------------------------

def test_a_resent_read_is_stored_once(camera_lane: CameraLane):
    first = camera_lane.push("hik", sample("hikvision_anpr.xml"), "application/xml")
    again = camera_lane.push("hik", sample("hikvision_anpr.xml"), "application/xml")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    body = generic()
    assert [camera_lane.push("gate", body).status_code for _ in range(2)] == [201, 200]
    assert len(camera_lane.reads()) == 2 and len(camera_lane.heard) == 2


def test_a_vendor_event_id_reused_for_another_read_is_refused(camera_lane: CameraLane):
    assert camera_lane.push("hik", sample("hikvision_anpr.xml"), "application/xml").status_code == 201
    other = sample("hikvision_anpr.xml").replace(b">KHN512<", b">KHN513<")
    response = camera_lane.push("hik", other, "application/xml")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "id_reused"
    assert len(camera_lane.reads()) == 1


def test_a_reused_id_leaves_no_photo_behind(camera_lane: CameraLane):
    """The refusal comes before the picture is kept: no file that no event names."""
    first = generic(id="gate-evt-77", image=base64.b64encode(jpeg()).decode())
    assert camera_lane.push("gate", first).status_code == 201
    kept = camera_lane.photos()
    other = generic(id="gate-evt-77", image=base64.b64encode(jpeg(colour="red")).decode())
    response = camera_lane.push("gate", other)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "id_reused"
    assert camera_lane.photos() == kept and len(camera_lane.reads()) == 1


# -- refusals: nothing stored ----------------------------------------------

def test_a_wrong_token_and_an_unknown_camera_get_the_same_401(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    wrong = camera_lane.push("gate", generic(), token=TOKENS["hik"])
    unknown = camera_lane.push("nobody", generic(), token=TOKENS["gate"])
    mqtt_only = camera_lane.push("mq", generic(), token="")
    none = camera_lane.client.post("/api/v1/cameras/gate/reads", data=generic(), content_type="application/json")
    for response in (wrong, unknown, mqtt_only, none):
        assert response.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert_nothing_stored(camera_lane, before)


class EndlessBody(io.RawIOBase):
    """A 50 MB body that exists only as it is read, counting what the lane read of it."""

    def __init__(self, size: int) -> None:
        self.size, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"A" * count
        self.read_bytes += count
        return count


def test_a_50_mb_push_is_a_413_without_being_read(camera_lane: CameraLane):
    """The lane answers 413 from the declared length: it reads none of the
    body and its memory does not grow. (Measured at the app: Werkzeug's
    development server would then drain up to 10 MB of what is left, the
    production server closes the connection.)"""
    before = camera_lane.server.store.count()
    body = EndlessBody(50 << 20)
    tracemalloc.start()
    response = camera_lane.client.post(
        "/api/v1/cameras/gate/reads", content_type="application/json",
        headers={"Authorization": f"Bearer {TOKENS['gate']}"},
        environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(body.size)})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert body.read_bytes == 0
    assert peak < 1 << 20, f"the lane held {peak} bytes for a push it refused"
    assert_nothing_stored(camera_lane, before)


def test_an_image_over_5_mib_is_a_413(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    big = jpeg() + b"\0" * MAX_IMAGE_BYTES
    response = camera_lane.push("gate", generic(image=base64.b64encode(big).decode()))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "image_too_large"
    assert_nothing_stored(camera_lane, before)


def test_an_image_that_is_not_an_image_stores_nothing(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    fake = b"%PDF-1.7 not a picture at all"
    json_push = camera_lane.push("gate", generic(image=base64.b64encode(fake).decode()))
    data = multipart(("anpr.xml", "application/xml", sample("hikvision_anpr.xml")),
                     ("licensePlatePicture.jpg", "image/jpeg", fake))
    multipart_push = camera_lane.push("hik", data, "multipart/form-data")
    for response in (json_push, multipart_push):
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_image"
    assert_nothing_stored(camera_lane, before)
    assert camera_lane.server.cameras.drops["invalid_image"] == 2


def test_a_plate_with_control_characters_is_refused_not_cleaned(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    pushes = [
        camera_lane.push("gate", json.dumps({"plate": {"text": "KHN\u0007512", "confidence": 0.9}})),
        camera_lane.push("gate", json.dumps({"plate": {"text": "KHN\u202e512", "confidence": 0.9}})),
        camera_lane.push("hik", sample("hikvision_anpr.xml").replace(b">KHN512<", b">KHN&#9;512<"),
                         "application/xml"),
        camera_lane.push("pr", sample("platerecognizer_stream.json").replace(b'"khn512"', b'"khn\\u001b512"')),
        camera_lane.push("box", json.dumps({"containers": [{"code": "MAEU\u00007362056", "confidence": 1}]})),
    ]
    for response in pushes:
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["error"]["code"] == "unprintable_text"
    assert_nothing_stored(camera_lane, before)


def test_a_bad_check_digit_is_stored_flagged_not_corrected(camera_lane: CameraLane):
    response = camera_lane.push("box", json.dumps({"containers": [
        {"code": "MAEU 736205-7", "confidence": 0.81}, {"code": "msku1234565", "confidence": 0.99}]}))
    assert response.status_code == 201, response.get_json()
    containers = json.loads(camera_lane.reads()[0]["payload"])["containers"]
    assert containers[0] == {"code": "MAEU7362057", "check_ok": False, "confidence": 0.81}
    assert containers[1]["code"] == "MSKU1234565"


def test_a_camera_is_trusted_only_for_what_its_role_reads(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    plate_only = camera_lane.push("box", generic())
    assert plate_only.status_code == 422 and plate_only.get_json()["error"]["code"] == "outside_role"
    assert_nothing_stored(camera_lane, before)
    both = camera_lane.push("box", generic(containers=[{"code": "MAEU7362056", "confidence": 0.9}]))
    assert both.status_code == 201 and both.get_json()["read"]["plate"] is None
    assert camera_lane.server.cameras.drops["outside_role"] == 2


def test_malformed_bodies_and_wrong_content_types_are_clear_4xx(camera_lane: CameraLane):
    before = camera_lane.server.store.count()
    cases = [
        (camera_lane.push("gate", b'{"plate": '), 400, "invalid_json"),
        (camera_lane.push("gate", b'{"plate": {"text": "A1", "confidence": NaN}}'), 400, "invalid_json"),
        (camera_lane.push("gate", json.dumps({"plate": {"text": "A1", "confidence": 2}})), 400, "invalid_field"),
        (camera_lane.push("gate", json.dumps({"plate": {"text": "KHN.512", "confidence": 1}})), 400, "invalid_plate"),
        (camera_lane.push("gate", json.dumps({"plate": {"text": "A" * 16, "confidence": 1}})), 400, "invalid_plate"),
        (camera_lane.push("gate", json.dumps({"captured_at": "yesterday",
                                              "plate": {"text": "A1", "confidence": 1}})), 400, "invalid_read"),
        (camera_lane.push("gate", generic(image="not base64!")), 400, "invalid_read"),
        (camera_lane.push("hik", b"<EventNotificationAlert><ANPR>", "application/xml"), 400, "invalid_xml"),
        (camera_lane.push("hik", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><EventNotificationAlert>&a;'
                                 b"</EventNotificationAlert>", "application/xml"), 400, "invalid_xml"),
        (camera_lane.push("pr", json.dumps({"hook": {}, "data": {"results": "none"}})), 400, "invalid_read"),
        (camera_lane.push("pr", json.dumps({"hook": {}, "data": {}, "extra": 1})), 400, "invalid_read"),
        (camera_lane.push("gate", sample("hikvision_anpr.xml"), "application/xml"), 415, "unsupported_media_type"),
        (camera_lane.push("hik", generic()), 415, "unsupported_media_type"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code), response.get_json()
    assert_nothing_stored(camera_lane, before)
