"""Retention and erasure at the lane (issue #17), through the real lane, its passport reader on a pty
and its SQLite file: a passport read is sealed in its event (the file holds no name, number or date of
birth in clear) yet the view and the PDF show it; an erasure order leaves the view and the PDF saying
"erased", the file with no way back to the name (the key's bytes gone from the file and its WAL), and
``lanebox verify`` passing; a legal hold refuses erasure with nothing changed; the retention job erases
a released case past its period but neither a held one nor a seizure within its own."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from common.erasure import ERASED, LEGAL_HOLD, RetentionPeriods
from common.eventlog.case_keys import held_keys, wipe_freed
from edge.retention import apply_retention
from edge.store import lane_store_path
from tests.support.case_bundle import download
from tests.support.custody_bench import ITEM, new_id
from tests.support.passport_lane import COURT, DE_VRIES, PERSONAL, erase, hold, lane_bytes, passport_lane, read_passport
from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with passport_lane(tmp_path_factory.mktemp("retention")) as bench:
        yield bench


def view(lane: Bench, inspection_id: str) -> dict[str, Any]:
    response = lane.call("GET", f"/inspections/{inspection_id}", user="sue", headers=COURT)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def report(lane: Bench, inspection_id: str) -> str:
    response = lane.call("GET", f"/inspections/{inspection_id}/report.pdf", user="sue", headers=COURT)
    assert response.status_code == 200, response.get_data(as_text=True)
    return pdf_text(response.data)


def case_bundle(lane: Bench, inspection_id: str) -> bytes:
    """The inspection's case bundle for court (a supervisor, with a reason)."""
    response = download(lane, f"/inspections/{inspection_id}/bundle.zip")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data()


def lanebox_verify(lane: Bench) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lanebox", "verify", "--store", str(lane_store_path(lane.root))],
                          capture_output=True, text=True, timeout=120)


def test_a_passport_read_is_sealed_in_its_event_and_shown_opened(lane: Bench) -> None:
    inspection_id = read_passport(lane, outcome=None)
    [event] = [e for e in lane.server.store.page(limit=10_000, types=["reading.attached"])
               if e["payload"].get("inspection_id") == inspection_id]
    mrz = event["payload"]["reading"]["data"]["mrz"]
    assert set(mrz["surname"]) == {"sealed", "key"} and mrz["surname"]["key"] == inspection_id
    assert mrz["format"] == "TD3" and mrz["valid"] is True  # what names no one stays in clear
    assert set(event["payload"]["raw"]) == {"sealed", "key"}  # the frame is the MRZ itself
    assert not any(word in lane_bytes(lane) for word in PERSONAL)

    shown = view(lane, inspection_id)["document"]
    assert shown["data"]["mrz"]["surname"] == "HALLORAN" and shown["data"]["mrz"]["birth_date"] == "1987-03-14"
    assert shown["erased"] is False
    text = report(lane, inspection_id)
    assert "HALLORAN, BRIDGET AOIFE" in text and "543219876" in text


def test_an_erasure_order_leaves_the_case_erased_everywhere_at_the_lane_and_the_chain_verifying(
        lane: Bench, tmp_path: Path) -> None:
    inspection_id = read_passport(lane)
    key = held_keys(lane.server.store, [inspection_id])[inspection_id]
    wipe_freed(lane_store_path(lane.root))  # an ordinary checkpoint: the key is in the database file itself
    lane.server.store.run_write(lambda conn: conn.execute("PRAGMA secure_delete = OFF"))  # as SQLite ships it
    assert key in lane_store_path(lane.root).read_bytes()

    bundled_before = case_bundle(lane, inspection_id)
    response = erase(lane, inspection_id)
    assert response.status_code == 201, response.get_json()
    erasure = response.get_json()["event"]
    assert erasure["type"] == ERASED and erasure["payload"]["keys_destroyed"] == [inspection_id]

    shown = view(lane, inspection_id)
    assert shown["document"]["erased"] is True and shown["document"]["data"]["mrz"]["surname"] is None
    assert shown["document"]["data"]["mrz"]["valid"] is True  # what the lane judged stays
    assert shown["erasure"]["by"] == "sue" and "erasure ordered by sue" in shown["erasure"]["words"]
    text = report(lane, inspection_id)
    assert "erased on" in text and "erasure ordered by sue" in text and "HALLORAN" not in text
    assert held_keys(lane.server.store, [inspection_id]) == {}
    assert key not in lane_bytes(lane)  # not in a freed page, not in the WAL

    verified = lanebox_verify(lane)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "chain ok" in verified.stdout

    # the case bundle made before still verifies, and one made now verifies and names no one
    bundled_after = case_bundle(lane, inspection_id)
    with zipfile.ZipFile(io.BytesIO(bundled_after)) as archive:
        members = [archive.read(name) for name in archive.namelist()]
    assert not any(word in member for member in members for word in PERSONAL)
    for name, data in (("before.zip", bundled_before), ("after.zip", bundled_after)):
        (tmp_path / name).write_bytes(data)
        done = subprocess.run([sys.executable, "-m", "lanebox", "verify-bundle", str(tmp_path / name), "--lane-key",
                               lane.server.label_signer.public_text], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith("VERIFIED"), done.stdout + done.stderr


def test_an_erasure_is_refused_for_an_open_case_an_unknown_one_and_an_officer(lane: Bench) -> None:
    inspection_id = read_passport(lane, outcome=None)
    count = lane.server.store.count()
    refused = erase(lane, inspection_id)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "case_open"
    assert erase(lane, new_id()).status_code == 404
    assert erase(lane, inspection_id, user="olga").status_code == 403
    assert lane.server.store.count() == count and inspection_id in held_keys(lane.server.store, [inspection_id])


def test_a_case_under_legal_hold_is_not_erased_and_is_once_the_hold_is_lifted(lane: Bench) -> None:
    inspection_id = read_passport(lane)
    held = hold(lane, inspection_id)
    assert held.status_code == 201 and held.get_json()["event"]["type"] == LEGAL_HOLD
    assert view(lane, inspection_id)["legal_hold"]["by"] == "sue"
    count = lane.server.store.count()

    refused = erase(lane, inspection_id)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "legal_hold"
    assert lane.server.store.count() == count  # nothing stored
    assert inspection_id in held_keys(lane.server.store, [inspection_id])
    assert view(lane, inspection_id)["document"]["data"]["mrz"]["surname"] == "HALLORAN"
    assert hold(lane, inspection_id).get_json()["error"]["code"] == "legal_hold"  # already held

    assert hold(lane, inspection_id, held=False).status_code == 201
    assert erase(lane, inspection_id).status_code == 201
    assert hold(lane, inspection_id).get_json()["error"]["code"] == "case_erased"


def test_the_retention_job_erases_a_released_case_past_its_period_only(lane: Bench) -> None:
    released = read_passport(lane, outcome="refer")
    held = read_passport(lane, DE_VRIES, outcome="refer")
    assert hold(lane, held).status_code == 201
    seized = read_passport(lane, outcome=None)
    seizure = lane.call("POST", "/seizures", user="olga", json={"id": new_id(), "inspection_id": seized,
                                                                 "legal_basis": "CEMA 1979 s.139", "items": [ITEM]})
    assert seizure.status_code == 201, seizure.get_json()
    lane.ok("POST", f"/inspections/{seized}/outcome", {"id": new_id(), "outcome": "seize"}, status=201, user="olga")
    periods = RetentionPeriods({"referred_inspection": 90, "seizure": 3650})

    assert released not in apply_retention(lane.server.store, periods, lane.clock)  # day 0: nothing is due
    clock = lambda: lane.clock() + timedelta(days=91)  # noqa: E731 - the lane's clock, 91 days on
    erased = apply_retention(lane.server.store, periods, clock)
    assert released in erased and held not in erased and seized not in erased
    assert view(lane, released)["erasure"]["why"] == "retention_ended"
    assert view(lane, held)["document"]["data"]["mrz"]["surname"] == "DE VRIES"
    assert view(lane, seized)["document"]["data"]["mrz"]["surname"] == "HALLORAN"
    assert apply_retention(lane.server.store, periods, lambda: lane.clock() + timedelta(days=3651)) == [seized]
    assert lanebox_verify(lane).returncode == 0


def test_a_seizures_persons_are_sealed_with_the_case_exported_while_it_lasts_and_erased_with_it(lane: Bench) -> None:
    inspection_id = read_passport(lane, outcome=None)
    driver = {"role": "driver", "surname": "HALLORAN", "given_names": "BRIDGET AOIFE", "nationality": "GB",
              "birth_date": "1987-03-14", "document_type": "passport", "document_number": "543219876"}
    body = {"id": new_id(), "inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139", "items": [ITEM],
            "persons": [driver]}
    created = lane.call("POST", "/seizures", user="olga", json=body)
    assert created.status_code == 201, created.get_json()
    assert lane.call("POST", "/seizures", user="olga", json=body).status_code == 200  # the tablet's retry
    other = {**body, "persons": [{**driver, "surname": "HALLORANE"}]}
    assert lane.call("POST", "/seizures", user="olga", json=other).get_json()["error"]["code"] == "id_reused"
    assert not any(word in lane_bytes(lane) for word in PERSONAL)
    path = f"/seizures/{body['id']}/export.json"
    exported = lane.call("GET", path, user="sue", headers=COURT).get_json()
    assert exported["persons"][0]["surname"] == "HALLORAN" and exported["persons"][0]["birth_date"] == "1987-03-14"

    lane.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "seize"}, status=201,
            user="olga")
    assert erase(lane, body["id"]).status_code == 201  # a seizure's id names its inspection's case
    person = lane.call("GET", path, user="sue", headers=COURT).get_json()["persons"][0]
    assert person["role"]["code"] == "driver" and person["surname"] is None and person["birth_date"] is None
    assert person["document"]["number"] is None
    again = lane.call("POST", "/seizures", user="olga", json={**body, "id": new_id()})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "case_erased"  # nothing new of it
    assert lanebox_verify(lane).returncode == 0
