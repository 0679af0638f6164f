"""The case bundle of a seizure on the real lane (bench-1 a calibrated scale on a pty): what is in
it, that it verifies with no lanebox data, who may have it and that its export is logged with the
reason; a refusal stores nothing and serves no zip."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from common.bundle_verify import verify_bundle
from tests.support.case_bundle import PNG, SeizedCase, download, seized_case
from tests.support.custody_bench import calibrated_bench
from tests.support.technician_bench import Bench


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Bench, SeizedCase, bytes]]:
    with calibrated_bench(tmp_path_factory.mktemp("bundle")) as bench:
        case = seized_case(bench)
        response = download(bench, f"/seizures/{case.seizure_id}/bundle.zip")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/zip"
        yield bench, case, response.get_data()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_seizure_bundle_holds_its_events_frames_photos_reports_and_certificates(case: Any) -> None:
    bench, seized, data = case
    files = members(data)
    manifest = json.loads(files["manifest.json"])
    events = [json.loads(files[p]) for p in files if p.startswith("events/")]
    types = {e["type"] for e in events}
    assert {"seizure.created", "seizure.bag_added", "seizure.custody", "goods.weighed", "calibration.recorded",
            "photo.stored", "inspection.started"} <= types
    assert all(e["payload"].get("seizure_id") != "someone else's" for e in events)
    weighings = [e for e in events if e["type"] == "goods.weighed"]
    frames = {p: files[p] for p in files if p.startswith("frames/")}
    assert sorted(frames.values()) == sorted(bytes.fromhex(w["payload"]["raw"]["hex"]) for w in weighings)
    assert all(frame.startswith(b"S S") for frame in frames.values())  # what the MT-SICS scale sent
    assert files[f"photos/{seized.photo}.png"] == PNG and hashlib.sha256(PNG).hexdigest() == seized.photo
    assert [p for p in files if p.startswith("reports/")] == [f"reports/seizure-{seized.seizure_id}.pdf"]
    assert files[f"reports/seizure-{seized.seizure_id}.pdf"].startswith(b"%PDF")
    certificates = [p for p in files if p.startswith("calibration/")]
    assert len(certificates) == 1 and certificates[0].startswith("calibration/bench-1-")
    assert manifest["case"] == {"kind": "seizure", "id": seized.seizure_id,
                                "records": [seized.seizure_id, seized.inspection_id]}
    assert manifest["created_by"] == "sue" and manifest["justification"]["code"] == "court_request"
    assert manifest["chain"]["start"]["seq"] == 0
    assert manifest["chain"]["head"]["seq"] == bench.server.store.last_seq() - 1  # then the export's own entry
    assert manifest["signing_key"] == bench.server.label_signer.public_text
    assert "VERIFY.txt" in files


def test_the_chain_proof_shows_other_records_only_as_hashes(case: Any) -> None:
    bench, seized, data = case
    files = members(data)
    links = [json.loads(line) for line in files["chain/links.jsonl"].splitlines()]
    assert [link["seq"] for link in links] == list(range(1, len(links) + 1))
    shown = {link["seq"] for link in links if "event" in link}
    hidden = [link for link in links if "event" not in link]
    assert hidden and all(set(link) == {"seq", "hash", "prev_hash", "content_sha256"} for link in hidden)
    users = [e["seq"] for e in bench.server.store.page(limit=1000) if e["type"].startswith("user.")]
    assert users and not shown & set(users)  # accounts are not this case's: not disclosed


def test_the_bundle_verifies_with_the_lane_key(case: Any) -> None:
    bench, seized, data = case
    account = verify_bundle(io.BytesIO(data), lane_key=bench.server.label_signer.public_text)
    assert any(line.startswith(f"case: seizure {seized.seizure_id}") for line in account)
    assert any("no hub countersignature" in line for line in account)


def test_the_export_is_in_the_consultation_log_with_its_reason(case: Any) -> None:
    bench, seized, _ = case
    entries = bench.server.consultations.review(record=seized.seizure_id)["entries"]
    exports = [e for e in entries if e["what"] == "case bundle"]
    assert exports and exports[0]["user"] == "sue" and exports[0]["action"] == "export"
    assert exports[0]["justification"]["code"] == "court_request"
    assert exports[0]["justification"]["text"] == "Crown v. Doe, disclosure"


@pytest.mark.parametrize(("user", "reason", "status"), [("sue", None, 428), ("olga", "court_request", 403),
                                                        ("sue", "nonsense", 400)])
def test_a_refused_bundle_serves_nothing_and_logs_nothing(case: Any, user: str, reason: str | None,
                                                          status: int) -> None:
    bench, seized, _ = case
    before = bench.server.store.last_seq()
    response = download(bench, f"/seizures/{seized.seizure_id}/bundle.zip", user=user, reason=reason)
    assert response.status_code == status and response.mimetype == "application/json"
    assert bench.server.store.last_seq() == before


def test_an_unknown_case_is_404(case: Any) -> None:
    bench, _, _ = case
    response = download(bench, "/seizures/00000000-0000-4000-8000-000000000000/bundle.zip")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_an_inspection_bundle_holds_its_seizures_and_both_reports(case: Any) -> None:
    bench, seized, _ = case
    response = download(bench, f"/inspections/{seized.inspection_id}/bundle.zip")
    assert response.status_code == 200, response.get_data(as_text=True)
    files = members(response.get_data())
    assert sorted(p for p in files if p.startswith("reports/")) == sorted(
        [f"reports/inspection-{seized.inspection_id}.pdf", f"reports/seizure-{seized.seizure_id}.pdf"])
    verify_bundle(io.BytesIO(response.get_data()), lane_key=bench.server.label_signer.public_text)
