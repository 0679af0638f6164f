"""Photos of persons (issue #17, "Retention and erasure"), through the real lane and its files: a photo
an officer marks as showing a person is stored sealed under its case's key (the file on disk holds no
byte of the image), served and printed opened while the key exists, and after the case is erased it is
answered 410 "erased", the report says so in its place, ``lanebox verify`` still passes and a case
bundle made then verifies and leaves the photo out, saying so in its manifest."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.eventlog.case_keys import held_keys
from common.eventlog.pinned_files import copy_new_files
from edge.store import lane_photos_path, lane_store_path
from tests.support.browser import photo_bytes
from tests.support.case_bundle import download
from tests.support.custody_bench import new_id
from tests.support.passport_lane import COURT, erase, passport_lane
from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench

JPEG = photo_bytes()
SHA = hashlib.sha256(JPEG).hexdigest()


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with passport_lane(tmp_path_factory.mktemp("person-photos")) as bench:
        yield bench


def upload(lane: Bench, data: bytes, query: str) -> object:
    return lane.call("POST", f"/photos{query}", user="olga", data=data, content_type="image/jpeg")


def closed_case_with_photo(lane: Bench, data: bytes) -> str:
    """An inspection whose finding cites ``data`` uploaded as a photo of a person, then closed."""
    inspection_id = lane.inspection()
    response = upload(lane, data, f"?person=1&case={inspection_id}")
    assert response.status_code == 201, response.get_data(as_text=True)
    sha256 = response.get_json()["sha256"]
    lane.ok("POST", f"/inspections/{inspection_id}/findings", {"id": new_id(), "category": "concealment",
            "note": "driver hidden behind the load", "photos": [sha256]}, status=201, user="olga")
    lane.ok("POST", f"/inspections/{inspection_id}/outcome",
            {"id": new_id(), "outcome": "refer", "reason": "as the test needs"}, status=201, user="olga")
    return inspection_id


def report(lane: Bench, inspection_id: str) -> bytes:
    response = lane.call("GET", f"/inspections/{inspection_id}/report.pdf", user="sue", headers=COURT)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data


def words(text: str) -> str:
    """The text with its line breaks (a table cell wraps) as single spaces."""
    return " ".join(text.split())


def verify_bundle(lane: Bench, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lanebox", "verify-bundle", str(path), "--lane-key",
                           lane.server.label_signer.public_text], capture_output=True, text=True, timeout=120)


def test_a_person_photo_is_sealed_on_disk_served_opened_and_erased_with_its_case(lane: Bench, tmp_path: Path) -> None:
    inspection_id = closed_case_with_photo(lane, JPEG)
    stored = (lane_photos_path(lane.root) / SHA).read_bytes()
    assert not stored.startswith(b"\xff\xd8\xff") and JPEG[100:164] not in stored
    assert not any(JPEG[100:164] in f.read_bytes() for f in lane_photos_path(lane.root).iterdir())  # no clear copy
    assert inspection_id in held_keys(lane.server.store, [inspection_id])

    served = lane.call("GET", f"/photos/{SHA}", user="sue", headers=COURT)
    assert served.status_code == 200 and served.data == JPEG and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "no-store"
    before = report(lane, inspection_id)
    assert b"/Subtype /Image" in before and "cannot be drawn" not in pdf_text(before)

    response = erase(lane, inspection_id)
    assert response.status_code == 201, response.get_json()
    gone = lane.call("GET", f"/photos/{SHA}", user="sue", headers=COURT)
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "erased"
    assert "photo of a person, erased on" in gone.get_json()["error"]["message"]
    after = report(lane, inspection_id)
    assert b"/Subtype /Image" not in after and "photo of a person, erased on" in words(pdf_text(after))

    verified = subprocess.run([sys.executable, "-m", "lanebox", "verify", "--store", str(lane_store_path(lane.root))],
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0 and "chain ok" in verified.stdout, verified.stdout + verified.stderr

    bundled = download(lane, f"/inspections/{inspection_id}/bundle.zip")
    assert bundled.status_code == 200, bundled.get_data(as_text=True)
    (tmp_path / "after.zip").write_bytes(bundled.data)
    done = verify_bundle(lane, tmp_path / "after.zip")
    assert done.returncode == 0 and done.stdout.startswith("VERIFIED"), done.stdout + done.stderr
    with zipfile.ZipFile(io.BytesIO(bundled.data)) as archive:
        assert not any(name.startswith("photos/") for name in archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    [left_out] = manifest["photos_left_out"]
    assert left_out["sha256"] == SHA and "photo of a person, erased on" in left_out["why"]


def test_a_bundle_made_before_erasure_holds_the_person_photo_opened(lane: Bench, tmp_path: Path) -> None:
    data = JPEG + b"\x00another"  # another photo (trailing bytes after the JPEG's end)
    inspection_id = closed_case_with_photo(lane, data)
    bundled = download(lane, f"/inspections/{inspection_id}/bundle.zip")
    assert bundled.status_code == 200, bundled.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(bundled.data)) as archive:
        assert archive.read(f"photos/{hashlib.sha256(data).hexdigest()}.jpg") == data
    (tmp_path / "before.zip").write_bytes(bundled.data)
    assert verify_bundle(lane, tmp_path / "before.zip").returncode == 0


def test_a_photo_first_kept_in_clear_is_sealed_when_marked_later_and_never_unsealed(lane: Bench) -> None:
    data = JPEG + b"\x00marked later"
    sha256 = hashlib.sha256(data).hexdigest()
    assert upload(lane, data, "").status_code == 201
    assert (lane_photos_path(lane.root) / sha256).read_bytes() == data
    inspection_id = lane.inspection()
    assert upload(lane, data, f"?person=1&case={inspection_id}").status_code == 200  # the same photo: its one event
    assert data[:64] not in (lane_photos_path(lane.root) / sha256).read_bytes()
    assert upload(lane, data, "?person=0").status_code == 200
    assert data[:64] not in (lane_photos_path(lane.root) / sha256).read_bytes()
    assert lane.call("GET", f"/photos/{sha256}", user="sue", headers=COURT).data == data


@pytest.mark.parametrize("query, status", [
    ("?person=1", 400),                      # no case
    ("?person=yes&case={case}", 400),        # not 0 or 1
    ("?person=0&case={case}", 400),          # a case without person=1
    ("?person=1&case={case}&face=1", 400),   # an unknown parameter
    ("?person=1&person=1&case={case}", 400),  # repeated
    ("?person=1&case=" + "0" * 8 + "-0000-4000-8000-" + "0" * 12, 404),  # no such case
])
def test_a_person_upload_that_is_not_exactly_right_is_refused_and_nothing_stored(
        lane: Bench, query: str, status: int) -> None:
    data = JPEG + query.encode()
    count = lane.server.store.count()
    response = upload(lane, data, query.format(case=lane.inspection()))
    assert response.status_code == status and "error" in response.get_json(), response.get_data(as_text=True)
    assert lane.server.store.count() == count + 1  # the inspection started, nothing else
    assert not (lane_photos_path(lane.root) / hashlib.sha256(data).hexdigest()).exists()


def test_no_person_photo_is_taken_for_an_erased_case(lane: Bench) -> None:
    inspection_id = closed_case_with_photo(lane, JPEG + b"\x00first")
    assert erase(lane, inspection_id).status_code == 201
    data = JPEG + b"\x00too late"
    response = upload(lane, data, f"?person=1&case={inspection_id}")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "case_erased"
    assert not (lane_photos_path(lane.root) / hashlib.sha256(data).hexdigest()).exists()


def test_a_sealed_photo_is_backed_up_as_it_is_and_a_tampered_one_is_refused(lane: Bench, tmp_path: Path) -> None:
    data = JPEG + b"\x00backed up"
    sha256 = hashlib.sha256(data).hexdigest()
    assert upload(lane, data, f"?person=1&case={lane.inspection()}").status_code == 201
    copied = copy_new_files(lane_photos_path(lane.root), tmp_path / "backup")
    assert sha256 not in copied.damaged
    assert (tmp_path / "backup" / sha256).read_bytes() == (lane_photos_path(lane.root) / sha256).read_bytes()

    stored = lane_photos_path(lane.root) / sha256
    sealed = bytearray(stored.read_bytes())
    sealed[-1] ^= 1
    stored.write_bytes(bytes(sealed))
    response = lane.call("GET", f"/photos/{sha256}", user="sue", headers=COURT)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "photo_damaged"
