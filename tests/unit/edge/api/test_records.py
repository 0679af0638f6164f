"""The officer API's rules, in process: idempotent writes (200 replays, 409
reused ids, racing twins), closed inspections, custody order, scan
confirmation, photos and their limits — and bad input on every route:
a 4xx in the error shape, and nothing stored."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from common.clock import iso_utc, utc_now
from common.custody import bag_id_for
from tests.support.officer_app import ITEM, new_id


def minutes_ago(minutes: float) -> str:
    return iso_utc(utc_now() - timedelta(minutes=minutes))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


def test_start_looks_up_declaration_watchlist_and_risk(officer_app):
    inspection_id = officer_app.inspection(plate="b 123-xyz", containers=("cmau 781154-0",))
    view = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert (view["plate"], view["containers"], view["declaration_ref"]) == ("B123XYZ", ["CMAU7811540"], "GB-DEC-0007")
    assert view["status"] == "open" and view["outcome"] is None and view["started_by"] == "olga"
    assert [f["code"] for f in view["flags"]] == ["watchlist_hit", "watchlist_hit"]
    assert view["risk"] == {"score": 75, "level": "high", "reasons": [
        "watchlist: plate B123XYZ: previous undeclared goods found in this vehicle (demo)",
        "watchlist: container CMAU7811540: concealment found in this box before (demo)",
        "goods from high-risk origin XZ"]}
    assert view["checklist"]["items"][0] == "Seals intact and numbers match the declaration"
    assert [e["type"] for e in view["events"]] == ["inspection.started"]
    listed = officer_app.ok("GET", "/inspections?status=open&limit=5", status=200, user="vic")["inspections"]
    assert listed[0]["id"] == inspection_id
    assert inspection_id not in [v["id"] for v in officer_app.ok("GET", "/inspections?status=closed",
                                                                 status=200)["inspections"]]


def test_an_unknown_vehicle_is_started_with_no_declaration(officer_app):
    view = officer_app.ok("GET", f"/inspections/{officer_app.inspection(plate='ZZ99ZZZ', containers=())}",
                          status=200, user="tom")
    assert view["declaration"] is None and view["flags"] == []
    assert view["risk"] == {"score": 20, "level": "low", "reasons": ["no declaration found for this vehicle"]}


@pytest.mark.parametrize("path,make_body", [
    ("/inspections", lambda app: {"plate": "AB12CDE", "containers": [], "inspection_type": "standard"}),
    ("/inspections/{inspection}/findings", lambda app: {"category": "goods", "note": "as declared"}),
    ("/inspections/{inspection}/checklist", lambda app: {"item": "Driver's documents checked", "checked": True}),
    ("/inspections/{inspection}/duty", lambda app: {"hs_code": "240220", "currency": "EUR", "value": 1000}),
    ("/seizures", lambda app: {"inspection_id": app.inspection(), "legal_basis": "s.139", "items": [ITEM]}),
    ("/seizures/{seizure}/bags", lambda app: {"description": "bag", "items": [0]}),
    ("/bags/{sealed_bag}/custody", lambda app: {"action": "stored", "confirmation": "typed"}),
    ("/inspections/{inspection}/outcome", lambda app: {"outcome": "refer", "ts": minutes_ago(30)}),
])
def test_a_replay_is_200_and_stores_nothing_a_reused_id_is_409(officer_app, path, make_body):
    path = path.format(inspection=officer_app.inspection(), seizure=officer_app.seizure(), bag=officer_app.bag(),
                       sealed_bag=officer_app.sealed_bag() if "{sealed_bag}" in path else None)
    body = {"id": new_id(), **make_body(officer_app)}
    first = officer_app.call("POST", path, json=body)
    assert first.status_code == 201, first.get_json()
    count = officer_app.events()
    again = officer_app.call("POST", path, json=body)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert officer_app.events() == count
    changed = officer_app.call("POST", path, json={**body, "ts": minutes_ago(31)})
    assert changed.status_code == 409 and error_of(changed)["code"] == "id_reused"
    assert officer_app.events() == count


@pytest.mark.parametrize("claimed", [
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "in ten minutes", "eight days ago"])
def test_a_time_no_tablet_could_have_is_refused_and_nothing_stored(officer_app, claimed):
    claimed = {"in ten minutes": minutes_ago(-10), "eight days ago": minutes_ago(8 * 24 * 60)}.get(claimed, claimed)
    count = officer_app.events()
    refused = officer_app.call("POST", "/inspections", json={
        "id": new_id(), "plate": "AB12CDE", "containers": [], "inspection_type": "standard", "ts": claimed})
    assert refused.status_code == 400 and error_of(refused)["code"] == "ts_out_of_range"
    assert error_of(refused)["field"] == "ts" and officer_app.events() == count


def test_the_box_orders_the_record_and_an_offline_claim_is_shown_beside_its_time(officer_app):
    inspection_id = officer_app.inspection()
    done_offline = minutes_ago(45)  # the tablet says 45 minutes ago: before the start reached the box
    closed = officer_app.ok("POST", f"/inspections/{inspection_id}/outcome",
                            {"id": new_id(), "outcome": "refer", "ts": done_offline}, status=201)["inspection"]
    assert closed["closed_at"] >= closed["started_at"]  # never closed before it started
    assert closed["closed_acted_at"] == done_offline and closed["started_acted_at"] is None
    closing = next(e for e in closed["events"] if e["type"] == "inspection.closed")
    assert closing["acted_at"] == done_offline and closing["ts"] == closed["closed_at"]


def test_the_same_id_on_another_inspection_is_409(officer_app):
    body = {"id": new_id(), "category": "goods", "note": "as declared"}
    officer_app.ok("POST", f"/inspections/{officer_app.inspection()}/findings", body)
    other = officer_app.call("POST", f"/inspections/{officer_app.inspection()}/findings", json=body)
    assert other.status_code == 409 and error_of(other)["code"] == "id_reused"


def test_racing_twins_store_one_event(officer_app):
    inspection_id = officer_app.inspection()
    body = {"id": new_id(), "category": "concealment", "note": "void behind the headboard"}
    codes: list[int] = []

    def send() -> None:
        client = officer_app.server.app.test_client()
        response = client.post(f"/api/v1/inspections/{inspection_id}/findings", json=body,
                               headers={"Authorization": f"Bearer {officer_app.tokens['olga']}"})
        codes.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] * 7 + [201]
    view = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert len(view["findings"]) == 1


def test_a_closed_inspection_refuses_every_write(officer_app):
    inspection_id = officer_app.inspection()  # its plate is on the watchlist: released with a reason
    officer_app.ok("POST", f"/inspections/{inspection_id}/outcome",
                   {"id": new_id(), "outcome": "release", "reason": "known haulier, papers checked"})
    count = officer_app.events()
    for path, body in [("findings", {"category": "other", "note": "late"}),
                       ("checklist", {"item": "Driver's documents checked", "checked": True}),
                       ("outcome", {"outcome": "seize"}),
                       ("duty", {"hs_code": "240220", "currency": "EUR", "value": 1})]:
        response = officer_app.call("POST", f"/inspections/{inspection_id}/{path}", json={"id": new_id(), **body})
        assert response.status_code == 409 and error_of(response)["code"] == "inspection_closed", path
    seizure = officer_app.call("POST", "/seizures", json={"id": new_id(), "inspection_id": inspection_id,
                                                          "legal_basis": "s.139", "items": [ITEM]})
    assert seizure.status_code == 409 and error_of(seizure)["code"] == "inspection_closed"
    assert officer_app.events() == count
    view = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert (view["status"], view["outcome"]) == ("closed", "release")


def test_checklist_and_findings(officer_app):
    inspection_id = officer_app.inspection(inspection_type="biosecurity")
    upload = officer_app.call("POST", "/photos", data=JPEG, headers={"Content-Type": "image/jpeg"})
    assert upload.status_code in (200, 201)
    sha256 = upload.get_json()["sha256"]
    officer_app.ok("POST", f"/inspections/{inspection_id}/checklist",
                   {"id": new_id(), "item": "Wheels and wheel arches clean", "checked": True, "note": "jet-washed"})
    officer_app.ok("POST", f"/inspections/{inspection_id}/findings",
                   {"id": new_id(), "category": "biosecurity", "note": "soil in the spare wheel", "photos": [sha256]})
    view = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    done = view["checklist"]["done"]["Wheels and wheel arches clean"]
    assert (done["checked"], done["by"], done["note"]) == (True, "olga", "jet-washed")
    assert view["findings"][0]["photos"] == [sha256] and view["findings"][0]["category"] == "biosecurity"


def test_photos_are_content_addressed(officer_app):
    first = officer_app.call("POST", "/photos", data=JPEG + b"1", headers={"Content-Type": "image/jpeg"})
    assert first.status_code == 201
    photo = first.get_json()
    assert photo["size"] == len(JPEG) + 1 and photo["content_type"] == "image/jpeg"
    count = officer_app.events()
    again = officer_app.call("POST", "/photos", data=JPEG + b"1", headers={"Content-Type": "image/jpeg"}, user="sue")
    assert again.status_code == 200 and again.get_json() == photo and officer_app.events() == count
    got = officer_app.call("GET", f"/photos/{photo['sha256']}", user="vic")
    assert got.status_code == 200 and got.data == JPEG + b"1" and got.mimetype == "image/jpeg"
    assert (officer_app.server.config.data_dir / "photos" / photo["sha256"]).read_bytes() == JPEG + b"1"


def test_a_photo_may_be_large_but_json_may_not(officer_app):
    big = JPEG + b"\0" * (5 << 20)
    assert officer_app.call("POST", "/photos", data=big, headers={"Content-Type": "image/jpeg"}).status_code == 201
    count = officer_app.events()
    too_big = officer_app.call("POST", "/photos", data=JPEG + b"\0" * (10 << 20),
                               headers={"Content-Type": "image/jpeg"})
    assert too_big.status_code == 413 and error_of(too_big)["code"] == "too_large"
    huge_json = officer_app.call("POST", "/inspections", data=b'{"plate": "' + b"x" * (2 << 20) + b'"}',
                                 headers={"Content-Type": "application/json"})
    assert huge_json.status_code == 413 and error_of(huge_json)["code"] == "too_large"
    assert officer_app.events() == count


def test_custody_order_and_scan_confirmation(officer_app):
    bag_id = officer_app.bag()
    count = officer_app.events()
    refused = officer_app.custody(bag_id, "handed_over", status=409, to="Border Force")
    assert refused["error"]["code"] == "custody_order"
    sealed = officer_app.custody(bag_id, "sealed", seal_number="GB 000123")
    assert sealed["bag"]["state"] == "sealed" and sealed["event"]["payload"]["bag_id"] == bag_id
    assert officer_app.custody(bag_id, "handed_over", status=400)["error"]["field"] == "to"
    mismatch = officer_app.custody(bag_id, "handed_over", status=400, to="Border Force", confirmation="scan",
                                   scanned_text="BAG-00000000")
    assert mismatch["error"]["code"] == "scan_mismatch"
    missing = officer_app.custody(bag_id, "received", status=400, confirmation="scan")
    assert missing["error"]["code"] == "scan_mismatch"
    officer_app.custody(bag_id, "handed_over", to="Border Force", confirmation="scan", scanned_text=f" {bag_id}\r\n")
    officer_app.custody(bag_id.lower(), "destroyed", location="Incinerator, Dover")
    ended = officer_app.custody(bag_id, "stored", status=409, location="Cage 3")
    assert ended["error"]["code"] == "custody_order"
    assert officer_app.events() == count + 3
    bag = next(b for b in _seizure_of(officer_app, bag_id)["bags"] if b["bag_id"] == bag_id)
    assert [step["action"] for step in bag["custody"]] == ["sealed", "handed_over", "destroyed"]
    assert bag["state"] == "destroyed" and bag["custody"][0]["seal_number"] == "GB 000123"
    assert all(len(step["hash"]) == 64 and step["event_id"] for step in bag["custody"])


def _seizure_of(officer_app, bag_id: str) -> dict:
    added = next(e for e in officer_app.server.store.record_events([bag_id]) if e["type"] == "seizure.bag_added")
    return officer_app.ok("GET", f"/seizures/{added['payload']['seizure_id']}", status=200, user="vic")


def test_bag_ids_come_from_the_event_id_and_label_as_qr(officer_app):
    seizure_id = officer_app.seizure(items=3)
    event_id = "0a1b2c3d-0000-4000-8000-000000000001"
    bag = officer_app.ok("POST", f"/seizures/{seizure_id}/bags", {"id": event_id, "description": "phones",
                                                                   "items": [1, 2]})["bag"]
    assert bag["bag_id"] == bag_id_for(event_id) == "BAG-0A1B2C3D"
    assert (bag["items"], bag["state"], bag["custody"]) == ([1, 2], "unsealed", [])
    taken = officer_app.call("POST", f"/seizures/{seizure_id}/bags",
                             json={"id": "0a1b2c3d-ffff-4000-8000-000000000002", "description": "x", "items": [0]})
    assert taken.status_code == 409 and error_of(taken)["code"] == "bag_id_taken"
    svg = officer_app.call("GET", f"/bags/{bag['bag_id']}/qr.svg", user="vic")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")


def test_a_seizure_needs_an_open_or_seized_inspection(officer_app):
    inspection_id = officer_app.inspection()
    officer_app.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "seize"})
    seizure = officer_app.ok("GET", f"/seizures/{officer_app.seizure(inspection_id)}", status=200)
    assert seizure["inspection_id"] == inspection_id and seizure["created_by"] == "olga"
    view = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert view["seizures"] == [seizure["id"]]


def test_views_survive_a_rebuild_from_the_log(officer_app):
    inspection_id = officer_app.inspection()
    officer_app.ok("POST", f"/inspections/{inspection_id}/findings", {"id": new_id(), "category": "goods",
                                                                      "note": "as declared"})
    seizure_id = officer_app.seizure(inspection_id)
    before = (officer_app.ok("GET", f"/inspections/{inspection_id}", status=200),
              officer_app.ok("GET", f"/seizures/{seizure_id}", status=200))
    officer_app.server.store.rebuild_views()
    after = (officer_app.ok("GET", f"/inspections/{inspection_id}", status=200),
             officer_app.ok("GET", f"/seizures/{seizure_id}", status=200))
    assert after == before


def test_roles(officer_app):
    inspection_id = officer_app.inspection()
    count = officer_app.events()
    for user in ("vic", "tom"):
        response = officer_app.call("POST", f"/inspections/{inspection_id}/findings", user=user,
                                    json={"id": new_id(), "category": "goods", "note": "x"})
        assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    technician = officer_app.call("POST", "/attachments", user="tom", json={
        "id": new_id(), "device_id": "scale-1", "record_type": "inspection", "record_id": inspection_id})
    assert technician.status_code == 403
    assert officer_app.events() == count
    assert officer_app.call("GET", f"/inspections/{inspection_id}", user="tom").status_code == 200


BAD_WRITES = [
    ("plate too short", "/inspections", {"plate": "A", "containers": [], "inspection_type": "standard"},
     400, "invalid_field", "plate"),
    ("plate with symbols", "/inspections", {"plate": "AB£12", "containers": [], "inspection_type": "standard"},
     400, "invalid_field", "plate"),
    ("container check digit", "/inspections", {"plate": "AB12CDE", "containers": ["CSQU3054383", "MSCU4829131"],
                                                "inspection_type": "standard"}, 400, "invalid_field", "containers.1"),
    ("container shape", "/inspections", {"plate": "AB12CDE", "containers": ["CSQU30543"],
                                         "inspection_type": "standard"}, 400, "invalid_field", "containers.0"),
    ("container twice", "/inspections", {"plate": "AB12CDE", "containers": ["CSQU3054383", "csqu 305438 3"],
                                         "inspection_type": "standard"}, 400, "invalid_field", "containers.1"),
    ("unknown type", "/inspections", {"plate": "AB12CDE", "containers": [], "inspection_type": "lunch"},
     400, "invalid_field", "inspection_type"),
    ("not a date", "/inspections", {"plate": "AB12CDE", "containers": [], "inspection_type": "standard",
                                    "ts": "2026-13-45T00:00:00Z"}, 400, "invalid_field", "ts"),
    ("ts not UTC", "/inspections", {"plate": "AB12CDE", "containers": [], "inspection_type": "standard",
                                    "ts": "2026-01-01T00:00:00+01:00"}, 400, "invalid_field", "ts"),
    ("unknown field", "/inspections", {"plate": "AB12CDE", "containers": [], "inspection_type": "standard",
                                       "status": "closed"}, 400, "invalid_field", "body"),
    ("finding category", "/inspections/{inspection}/findings", {"category": "lunch", "note": "x"},
     400, "invalid_field", "category"),
    ("finding empty note", "/inspections/{inspection}/findings", {"category": "goods", "note": ""},
     400, "invalid_field", "note"),
    ("finding photo not a hash", "/inspections/{inspection}/findings",
     {"category": "goods", "note": "x", "photos": ["../../etc/passwd"]}, 400, "invalid_field", "photos.0"),
    ("finding photo not uploaded", "/inspections/{inspection}/findings",
     {"category": "goods", "note": "x", "photos": ["0" * 64]}, 400, "unknown_photo", "photos.0"),
    ("finding on no inspection", "/inspections/nope/findings", {"category": "goods", "note": "x"},
     404, "not_found", None),
    ("checklist item", "/inspections/{inspection}/checklist", {"item": "Had lunch", "checked": True},
     400, "unknown_checklist_item", "item"),
    ("checklist not bool", "/inspections/{inspection}/checklist", {"item": "Driver's documents checked",
                                                                   "checked": "yes"}, 400, "invalid_field", "checked"),
    ("outcome", "/inspections/{inspection}/outcome", {"outcome": "shrug"}, 400, "invalid_field", "outcome"),
    ("seizure on no inspection", "/seizures", {"inspection_id": "nope", "legal_basis": "s.139", "items": [ITEM]},
     404, "not_found", None),
    ("seizure without items", "/seizures", {"inspection_id": "{inspection}", "legal_basis": "s.139", "items": []},
     400, "invalid_field", "items"),
    ("seizure hs code", "/seizures", {"inspection_id": "{inspection}", "legal_basis": "s.139",
                                      "items": [{**ITEM, "hs_code": "2402"}]}, 400, "invalid_field", "items.0.hs_code"),
    ("seizure zero quantity", "/seizures", {"inspection_id": "{inspection}", "legal_basis": "s.139",
                                            "items": [{**ITEM, "quantity": 0}]},
     400, "invalid_field", "items.0.quantity"),
    ("seizure unit", "/seizures", {"inspection_id": "{inspection}", "legal_basis": "s.139",
                                   "items": [{**ITEM, "unit": "bushels"}]}, 400, "invalid_field", "items.0.unit"),
    ("bag item out of range", "/seizures/{seizure}/bags", {"description": "x", "items": [0, 5]},
     400, "invalid_field", "items.1"),
    ("bag on no seizure", "/seizures/nope/bags", {"description": "x", "items": [0]}, 404, "not_found", None),
    ("custody action", "/bags/{bag}/custody", {"action": "lost", "confirmation": "typed"},
     400, "invalid_field", "action"),
    ("custody on no bag", "/bags/BAG-FFFFFFFF/custody", {"action": "sealed", "confirmation": "typed"},
     404, "not_found", None),
    ("duty hs code", "/inspections/{inspection}/duty", {"hs_code": "999999", "currency": "EUR", "value": 1},
     400, "unknown_hs_code", "hs_code"),
    ("duty currency", "/inspections/{inspection}/duty", {"hs_code": "240220", "currency": "JPY", "value": 1},
     400, "unknown_currency", "currency"),
    ("duty value and fob", "/inspections/{inspection}/duty",
     {"hs_code": "240220", "currency": "EUR", "value": 1, "fob": 1}, 400, "invalid_field", "value"),
    ("duty freight without fob", "/inspections/{inspection}/duty",
     {"hs_code": "240220", "currency": "EUR", "value": 1, "freight": 1}, 400, "invalid_field", "freight"),
    ("duty negative", "/inspections/{inspection}/duty", {"hs_code": "240220", "currency": "EUR", "value": -1},
     400, "invalid_field", "value"),
    ("attach to no inspection", "/attachments", {"device_id": "scale-1", "record_type": "inspection",
                                                 "record_id": "nope"}, 404, "not_found", None),
]


@pytest.mark.parametrize("label,path,body,status,code,field", BAD_WRITES, ids=[b[0] for b in BAD_WRITES])
def test_bad_writes_are_4xx_and_store_nothing(officer_app, label, path, body, status, code, field):
    inspection_id = officer_app.inspection()
    seizure_id = officer_app.seizure(inspection_id)
    names = {"inspection": inspection_id, "seizure": seizure_id, "bag": officer_app.bag(seizure_id)}
    body = {key: value.format(**names) if isinstance(value, str) else value for key, value in body.items()}
    count = officer_app.events()
    response = officer_app.call("POST", path.format(**names), json={"id": new_id(), **body})
    assert response.status_code == status, response.get_json()
    error = error_of(response)
    assert error["code"] == code and error.get("field") == field, error
    assert officer_app.events() == count


BAD_READS = [
    ("/inspections?status=maybe", 400), ("/inspections?limit=0", 400), ("/inspections?limit=x", 400),
    ("/inspections/nope", 404), ("/seizures/nope", 404), ("/seizures/nope/report.pdf", 404),
    ("/bags/BAG-FFFFFFFF/qr.svg", 404), ("/photos/nope", 404), ("/photos/" + "0" * 64, 404),
    ("/duty/nope/receipt.pdf", 404), ("/reference/lookup", 400), ("/reference/lookup?plate=A", 400),
    ("/reference/lookup?document=%3C%3C", 400), ("/reference/lookup?plate=" + "A" * 65, 400),
]


@pytest.mark.parametrize("path,status", BAD_READS)
def test_bad_reads_are_4xx(officer_app, path, status):
    response = officer_app.call("GET", path, user="vic")
    assert response.status_code == status
    error_of(response)


def test_a_receipt_only_for_a_duty_event(officer_app):
    not_duty = officer_app.inspection()
    assert officer_app.call("GET", f"/duty/{not_duty}/receipt.pdf").status_code == 404


@pytest.mark.parametrize("label,data,content_type,status", [
    ("not an image type", JPEG, "text/plain", 415),
    ("no type", JPEG, None, 415),
    ("empty", b"", "image/jpeg", 400),
    ("bytes not the type claimed", JPEG, "image/png", 400),
    ("not an image at all", b"hello world", "image/webp", 400),
])
def test_bad_photos_are_refused_and_store_nothing(officer_app, label, data, content_type, status):
    count = officer_app.events()
    headers = {"Content-Type": content_type} if content_type else {}
    response = officer_app.call("POST", "/photos", data=data, headers=headers)
    assert response.status_code == status, label
    error_of(response)
    assert officer_app.events() == count
