"""A seizure's CEN sections (issue #17) through the real lane, its document reader and bench scale on ptys
and the demo reference data: what the inspection already says is offered (the driver from the passport,
the declaration's companies and origin, the plate and containers, the detection its flags point to);
the sections are stored as sent and exported as lanebox-cen-1, the export only with a reason and logged;
a client of before (items only) keeps working; every refusal stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from common.eventlog.case_keys import opened_events
from drivers.simulators.mrz_reader import DocumentReaderSimulator, made_up_specimens
from drivers.simulators.ports import PtyPort
from lanebox.demo import ensure_demo_reference
from tests.support.custody_bench import ITEM, calibrate_bench_scale, new_id
from tests.support.lane_process import by_id_link
from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench, close_bench, make_bench

HALLORAN = made_up_specimens()[0]
CONCEALMENT = {"methods": ["false_compartment"], "place": "behind the cab's rear panel"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """bench-1 calibrated and a passport reader, with the demo reference data (GB-DEC-0003 is KHN 512)."""
    root = tmp_path_factory.mktemp("cen")
    bench = make_bench(root)
    bench.sims["document-1"] = DocumentReaderSimulator()
    bench.ports["document-1"] = PtyPort(bench.sims["document-1"], link=by_id_link(root, "document-1")).start()
    bench.config_devices = ("bench-1", "document-1")
    try:
        bench.start()
        for device_id in bench.config_devices:
            bench.connected(device_id)
        calibrate_bench_scale(bench.server.store)
        ensure_demo_reference(bench.server.store)
        yield bench
    finally:
        close_bench(bench)


def inspected_with_passport(bench: Bench) -> str:
    """KHN 512 inspected, HALLORAN's passport read and attached."""
    inspection_id = bench.inspection()
    shown_before = bench.latest_seq("document-1")
    bench.sims["document-1"].present(HALLORAN)
    bench.attach("document-1", inspection_id, lambda data: (data.get("mrz") or {}).get("surname") == "HALLORAN",
                 newer_than=shown_before)
    return inspection_id


def seize(bench: Bench, inspection_id: str, **sections: Any) -> Any:
    body = {"id": new_id(), "inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139", "items": [ITEM],
            **sections}
    return bench.call("POST", "/seizures", user="olga", json=body)


def consultations(bench: Bench) -> list[dict[str, Any]]:
    return [e["payload"] for e in bench.server.store.replay(["access.consulted"])]


def test_the_prefill_offers_what_the_inspection_already_says(bench: Bench) -> None:
    inspection_id = inspected_with_passport(bench)
    offered = bench.ok("GET", f"/inspections/{inspection_id}/seizure-prefill", user="olga")
    assert offered["persons"] == [{"role": "driver", "surname": "HALLORAN", "given_names": "BRIDGET AOIFE",
                                   "nationality": "GB", "birth_date": "1987-03-14", "document_type": "passport",
                                   "document_number": "543219876", "document_country": "GB"}]
    assert offered["companies"] == [
        {"role": "consignor", "name": "Gulf Horizon General Trading FZE"},
        {"role": "consignee", "name": "Baltic Retail Supplies UAB, Vilnius"},
        {"role": "haulier", "name": "Žalgiris Transport UAB"}]
    assert offered["conveyance"] == {"vehicle_type": "lorry", "plate": "KHN512", "containers": ["MAEU7362056"]}
    assert offered["route"] == {"origin_country": "AE"}
    # KHN 512 is on the demo watchlist: intelligence led to it, and it makes the risk high
    assert offered["detection"] == {"methods": ["risk_profile", "intelligence"]}
    # the driver's data was served: logged, the open inspection its own reason
    entry = consultations(bench)[-1]
    assert entry["records"] == [inspection_id] and entry["justification"]["implicit"] is True
    assert "document_number" in entry["fields"]


def test_cen_sections_are_stored_as_sent_and_exported_with_a_reason(bench: Bench) -> None:
    inspection_id = inspected_with_passport(bench)
    offered = bench.ok("GET", f"/inspections/{inspection_id}/seizure-prefill", user="olga")
    sections = {**offered, "concealment": CONCEALMENT,
                "route": {**offered["route"], "destination_country": "GB", "destination_place": "Dover",
                          "transit_countries": ["TR", "BG"]},
                "companies": [*offered["companies"], {"role": "declarant", "name": "Channel Clear Ltd",
                                                      "country": "GB", "eori": "GB123456789000"}]}
    created = seize(bench, inspection_id, **sections)
    assert created.status_code == 201, created.get_json()
    seizure = created.get_json()["seizure"]
    store = bench.server.store
    stored = next(e for e in opened_events(store, store.record_events([seizure["id"]]))
                  if e["type"] == "seizure.created")
    assert {name: stored["payload"][name] for name in sections} == sections  # (the persons sealed: test_retention)
    assert seizure["cen"] == sections

    path = f"/seizures/{seizure['id']}/export.json"
    before = len(consultations(bench))
    refused = bench.call("GET", path, user="olga")
    assert refused.status_code == 428 and refused.get_json()["error"]["code"] == "justification_required"
    assert len(consultations(bench)) == before  # nothing served, nothing logged
    exported = bench.call("GET", path, user="olga", headers={"X-Justification": "court_request: R v Doe"})
    assert exported.status_code == 200, exported.get_json()
    doc = exported.get_json()
    assert doc["format"] == "lanebox-cen-1" and doc["exported_by"] == "olga"
    assert doc["seizure"]["reference"] == seizure["id"] and doc["seizure"]["declaration_reference"] == "GB-DEC-0003"
    assert doc["detection"]["methods"] == [{"code": "risk_profile", "words": "Risk profile"},
                                           {"code": "intelligence", "words": "Intelligence or watchlist"}]
    assert doc["concealment"] == {"methods": [{"code": "false_compartment", "words": "False compartment"}],
                                  "place": "behind the cab's rear panel"}
    assert doc["conveyance"]["plate"] == "KHN512" and doc["conveyance"]["containers"] == ["MAEU7362056"]
    assert doc["route"]["transit_countries"] == ["TR", "BG"] and doc["route"]["origin_country"] == "AE"
    driver = doc["persons"][0]
    assert driver["role"] == {"code": "driver", "words": "Driver"} and driver["surname"] == "HALLORAN"
    assert driver["document"] == {"type": {"code": "passport", "words": "Passport"}, "number": "543219876",
                                  "country": "GB"}
    assert [c["role"]["code"] for c in doc["companies"]] == ["consignor", "consignee", "haulier", "declarant"]
    assert doc["companies"][3]["eori"] == "GB123456789000"
    assert doc["commodities"][0]["hs_code"] == "240220"
    assert doc["evidence"]["events"][0]["id"] == seizure["id"]
    entry = consultations(bench)[-1]
    assert entry["action"] == "export" and entry["what"] == "seizure export" and entry["records"] == [seizure["id"]]
    assert entry["justification"]["code"] == "court_request" and entry["justification"]["text"] == "R v Doe"
    report = " ".join(pdf_text(bench.call("GET", f"/seizures/{seizure['id']}/report.pdf", user="olga",
                                          headers={"X-Justification": "audit"}).data).split())
    assert "Found by Risk profile, Intelligence or watchlist" in report
    assert "Hidden False compartment - behind the cab's rear panel" in report
    assert "Goods from United Arab Emirates" in report and "Through Türkiye, Bulgaria" in report
    assert ("Driver: BRIDGET AOIFE HALLORAN, born 1987-03-14, nationality United Kingdom, Passport 543219876 "
            "issued by United Kingdom") in report
    assert "Declarant: Channel Clear Ltd, United Kingdom, EORI GB123456789000" in report


def test_a_client_that_sends_only_the_old_fields_keeps_working(bench: Bench) -> None:
    created = seize(bench, bench.inspection())
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["seizure"]["cen"] == {}
    doc = bench.call("GET", f"/seizures/{created.get_json()['seizure']['id']}/export.json", user="olga",
                     headers={"X-Justification": "audit"}).get_json()
    assert doc["detection"] is None and doc["persons"] == [] and doc["companies"] == []


def test_viewing_a_seizure_that_names_persons_is_logged(bench: Bench) -> None:
    inspection_id = inspected_with_passport(bench)
    offered = bench.ok("GET", f"/inspections/{inspection_id}/seizure-prefill", user="olga")
    seizure_id = seize(bench, inspection_id, persons=offered["persons"]).get_json()["seizure"]["id"]
    before = len(consultations(bench))
    bench.ok("GET", f"/seizures/{seizure_id}", user="olga")
    entry = consultations(bench)[-1]
    assert len(consultations(bench)) == before + 1 and entry["what"] == "seizure"
    assert entry["records"] == [seizure_id] and "surname" in entry["fields"]


@pytest.mark.parametrize("sections, field", [
    ({"detection": {"methods": ["crystal_ball"]}}, "detection.methods.0"),
    ({"detection": {"methods": []}}, "detection.methods"),
    ({"concealment": {"place": "in the cab"}}, "concealment.methods"),
    ({"route": {"origin_country": "UK"}}, "route.origin_country"),
    ({"route": {"destination_country": "gb"}}, "route.destination_country"),
    ({"conveyance": {"vehicle_type": "lorry", "containers": ["MAEU 736205-6"]}}, "conveyance.containers.0"),
    ({"persons": [{"role": "driver"}]}, "persons.0.surname"),
    ({"persons": [{"role": "driver", "surname": "DOE", "eye_colour": "blue"}]}, "persons.0"),
    ({"persons": [{"role": "driver", "surname": "DOE", "birth_date": "1990-02-30"}]}, "persons.0.birth_date"),
    ({"companies": [{"role": "smuggler", "name": "Acme"}]}, "companies.0.role"),
    ({"companies": [{"role": "consignor", "name": "Acme", "eori": "123"}]}, "companies.0.eori"),
])
def test_a_section_out_of_shape_is_refused_and_nothing_stored(bench: Bench, sections: dict[str, Any],
                                                              field: str) -> None:
    inspection_id = bench.inspection()
    count = bench.server.store.count()
    refused = seize(bench, inspection_id, **sections)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"]["code"] == "invalid_field"
    assert refused.get_json()["error"]["field"] == field
    assert bench.server.store.count() == count
