"""The inspection report: the printable record of every inspection, however
it ended. What a reader must find on it: who inspected which vehicle when,
each reading with its device and whether that device was in calibration
when it read, findings with photo hashes, the checklist, duty, the outcome
with its reason, the seizures with their bags, and every event's hash with
the chain's verification — for a released, a referred, a seized and an
open inspection alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from common.reference import load_reference_file, store_reference
from lanebox.demo import DEMO_REFERENCE
from tests.support.officer_app import OfficerApp, new_id
from tests.support.pdf_text import pdf_strings
from tests.support.technician_bench import Bench, running_bench

DUE = "CALIBRATION DUE when read"
PNG = b"\x89PNG\r\n\x1a\n" + b"inspection report" * 20


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """A lane with a scale and a trace detector on ptys and the demo reference data.
    The scale has never been calibrated (due); the detector passed its daily check."""
    with running_bench(tmp_path_factory.mktemp("inspection-report"), ("scale-1", "trace-1")) as bench:
        store_reference(bench.server.store, load_reference_file(DEMO_REFERENCE), actor="test")
        bench.server.store.append("calibration.recorded", {"device_id": "trace-1", "passed": True,
                                                           "kind": "etd-daily"}, "tom")
        bench.server.calibration_watch.refresh()
        assert bench.ok("GET", "/devices/scale-1")["calibration"]["status"] == "due"
        assert bench.ok("GET", "/devices/trace-1")["calibration"]["status"] == "ok"
        yield bench


def start(bench: Bench, plate: str, container: str) -> str:
    inspection_id = str(uuid.uuid4())
    bench.ok("POST", "/inspections", {"id": inspection_id, "plate": plate, "containers": [container],
                                      "inspection_type": "standard"}, status=201, user="olga")
    return inspection_id


def close(bench: Bench, inspection_id: str, outcome: str, reason: str) -> None:
    bench.ok("POST", f"/inspections/{inspection_id}/outcome",
             {"id": str(uuid.uuid4()), "outcome": outcome, "reason": reason}, status=201, user="olga")


def report_of(call: Any, inspection_id: str, user: str) -> list[str]:
    """The served report's strings, as a reader sees them in order."""
    response = call("GET", f"/inspections/{inspection_id}/report.pdf", user=user, headers={"X-Justification": "audit"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="inspection-{inspection_id.lower()}.pdf"'
    assert response.data.startswith(b"%PDF-")
    return pdf_strings(response.data)


def grouped(amount: str) -> str:
    """An amount as a person writes it: thousands grouped, to the cent (8400 -> 8,400.00 GBP)."""
    pounds, _, pence = f"{float(amount):.2f}".partition(".")
    return f"{int(pounds):,}.{pence} GBP"


def section(shown: list[str], heading: str, next_heading: str) -> list[str]:
    return shown[shown.index(heading) + 1:shown.index(next_heading)]


def reading_rows(shown: list[str], devices: Sequence[str]) -> dict[str, str]:
    """Each device's row of the attached-readings table from its device cell on, as one
    line (a cell may wrap); the explanation of the mark below the table is left out."""
    table = section(shown, "Device readings attached", "Weights against the declaration")
    table = table[:next((i for i, s in enumerate(table) if s.startswith(f"{DUE}:")), len(table))]
    starts = sorted((table.index(device), device) for device in devices)
    ends = [i for i, _ in starts[1:]] + [len(table)]
    return {device: " ".join(table[i:end]) for (i, device), end in zip(starts, ends)}


def assert_evidence(text: str, events: list[dict[str, Any]]) -> None:
    for event in events:
        assert event["id"] in text and event["hash"] in text
    assert f"Evidence: the {len(events)} events of this inspection" in text
    assert "Verified when this report was made: the hash chain is whole" in text


def test_a_released_inspection_marks_the_weight_read_while_the_scale_was_due(bench: Bench) -> None:
    inspection_id = start(bench, "EK 48213", "CSQU3054383")  # declared gross weight 22400 kg
    sample = bench.sims["trace-1"].swab([])
    trace = bench.attach("trace-1", inspection_id, lambda data: data.get("sample_id") == sample)
    bench.sims["scale-1"].set_load(22640, settle=True)
    weight = bench.attach("scale-1", inspection_id, lambda data: data.get("stable") and data["weight"] == 22640)
    assert (weight["payload"]["calibration_due"], trace["payload"]["calibration_due"]) == (True, False)
    photo = bench.call("POST", "/photos", user="olga", data=PNG, headers={"Content-Type": "image/png"})
    photo_sha = photo.get_json()["sha256"]
    bench.ok("POST", f"/inspections/{inspection_id}/findings", {"id": str(uuid.uuid4()), "category": "goods",
                                                               "note": "Cartons of frozen cod as declared",
                                                               "photos": [photo_sha]}, status=201, user="olga")
    bench.ok("POST", f"/inspections/{inspection_id}/checklist",
             {"id": str(uuid.uuid4()), "item": "Cab and sleeping area searched", "checked": True,
              "note": "nothing behind the bunk"}, status=201, user="olga")
    duty = bench.ok("POST", f"/inspections/{inspection_id}/duty", {"id": str(uuid.uuid4()), "hs_code": "030471",
                                                                   "currency": "EUR", "value": 8400},
                    status=201, user="olga")["assessment"]
    close(bench, inspection_id, "release", "load and papers match the declaration")

    shown = report_of(bench.call, inspection_id, user="vic")
    text = "\n".join(shown)
    assert shown[0].startswith("Inspection of EK48213, ") and inspection_id in shown and "CSQU3054383" in shown
    assert "release (reason: load and papers match the declaration)" in shown
    assert "Officers" in shown and "olga" in shown
    rows = reading_rows(shown, ("scale-1", "trace-1"))
    assert "22,640 kg stable" in rows["scale-1"] and DUE in rows["scale-1"]
    assert "in calibration" not in rows["scale-1"]
    assert f"clear, sample {sample}" in rows["trace-1"] and "in calibration" in rows["trace-1"]
    assert DUE not in rows["trace-1"]
    assert "the device's calibration was overdue or had failed" in text
    weights = section(shown, "Weights against the declaration", "Findings")
    assert ["22,640", "22,400", "+1.07 %", "5 %", "within tolerance"] == weights[weights.index("scale-1") + 1:][:5]
    assert "Cartons of frozen cod as declared" in text and photo_sha in text
    checklist = section(shown, "Checklist", "Duty assessed")
    item = checklist.index("Cab and sleeping area searched")
    assert checklist[item + 1:item + 3] == ["yes", "olga"]
    assert checklist.count("NO") == 5  # the other items of the standard checklist were not ticked
    assert 'Note on "Cab and sleeping area searched" (olga): nothing behind the bunk' in text
    assert "030471" in shown and grouped(duty["total"]) in shown and grouped(duty["duty"]) in shown
    assert "Nothing was seized." in shown and "No travel document was read." in shown
    assert_evidence(text, bench.server.store.record_events([inspection_id]))


def test_a_referred_inspection_names_the_alarm_and_why_it_was_referred(bench: Bench) -> None:
    inspection_id = start(bench, "WGM 4823K", "MSCU4829130")
    sample = bench.sims["trace-1"].swab([("cocaine", 420.0)])
    bench.attach("trace-1", inspection_id, lambda data: data.get("sample_id") == sample)
    close(bench, inspection_id, "refer", "trace alarm: to the search bay")

    shown = report_of(bench.call, inspection_id, user="olga")
    text = "\n".join(shown)
    assert "refer (reason: trace alarm: to the search bay)" in shown
    assert "trace_alarm" in shown and "trace detector alarm: cocaine (narcotic); propose referral" in text
    table = " ".join(section(shown, "Device readings attached", "Findings"))
    assert f"alarm: cocaine (420.0), sample {sample}" in table and "in calibration" in table and DUE not in table
    assert "No findings were recorded." in shown and "Nothing was seized." in shown
    risk = bench.ok("GET", f"/inspections/{inspection_id}", user="olga")["risk"]
    assert risk["level"] == "high" and f"{risk['score']} (high): " + "; ".join(risk["reasons"]) in shown
    assert_evidence(text, bench.server.store.record_events([inspection_id]))


def test_a_seized_inspection_lists_its_seizures_bags_and_their_events(officer_app: OfficerApp) -> None:
    inspection_id = officer_app.inspection()
    officer_app.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "seize"})
    seizure_id = officer_app.seizure(inspection_id)
    bag_id = officer_app.bag(seizure_id)
    officer_app.custody(bag_id, "sealed", seal_number="GB 000778")

    shown = report_of(officer_app.call, inspection_id, user="vic")
    text = "\n".join(shown)
    assert "seize" in shown
    assert f"Seizure {seizure_id}: 2 item(s)" in text and bag_id in shown and "sealed" in shown
    events = officer_app.server.store.record_events([inspection_id, seizure_id])
    assert any(e["type"] == "seizure.custody" for e in events)
    for event in events:
        assert event["hash"] in text
    assert f"Evidence: the {len(events)} events of this inspection and its seizures" in text


def test_an_open_inspection_has_a_report_and_an_unknown_one_is_404(officer_app: OfficerApp) -> None:
    inspection_id = officer_app.inspection(plate="BX71 KLM", containers=("HLXU5512070",))
    shown = report_of(officer_app.call, inspection_id.upper(), user="tom")
    assert "none yet: the inspection is open" in shown and "No device readings were attached." in shown
    assert "GB-DEC-0004" in shown

    missing = officer_app.call("GET", f"/inspections/{new_id()}/report.pdf", user="olga")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    for odd in ("%27%3B%20DROP%20TABLE%20events--", "%E2%80%AE%C5%81%C3%B3d%C5%BA", "x" * 2000):
        assert officer_app.call("GET", f"/inspections/{odd}/report.pdf", user="olga").status_code == 404
    unsigned = officer_app.client.get(f"/api/v1/inspections/{inspection_id}/report.pdf")
    assert unsigned.status_code == 401


def test_the_longest_notes_the_api_takes_still_print(officer_app: OfficerApp) -> None:
    """A 4000-character finding, a 2000-character checklist note and outcome reason, in
    scripts the fonts may lack: the report runs onto more pages rather than fail."""
    inspection_id = officer_app.inspection()
    item = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)["checklist"]["items"][0]
    officer_app.ok("POST", f"/inspections/{inspection_id}/findings",
                   {"id": new_id(), "category": "other", "note": "深圳 İskenderun Łódź " * 200})
    officer_app.ok("POST", f"/inspections/{inspection_id}/checklist",
                   {"id": new_id(), "item": item, "checked": False, "note": "x" * 2000})
    officer_app.ok("POST", f"/inspections/{inspection_id}/outcome",
                   {"id": new_id(), "outcome": "refer", "reason": "to the search bay " * 111})
    shown = report_of(officer_app.call, inspection_id, user="olga")
    assert "Page 2 of" in "\n".join(shown) and "Hash chain" in shown
