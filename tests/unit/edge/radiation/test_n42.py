"""The ANSI N42.42-2011 export of an RPM occupancy: every document lanebox writes
is valid against the published schema (edge/radiation/schema/n42.xsd) and says
what the occupancy reading and the adjudications said; a broken one is not."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.radiation.n42 import N42, N42Invalid, occupancy_n42, validate

NS = {"n": N42}
LANE = {"id": "lane-3", "name": "Lane 3 (trucks)"}


def occupancy(**changes) -> dict:
    reading = {"phase": "occupancy", "id": "0f6c1e2a-8d7b-4c53-9a51-3f1c2e4d5b60", "occupancy": 12,
               "started_at": "2026-03-02T10:05:00.400Z", "ended_at": "2026-03-02T10:05:06.200Z",
               "gamma": {"max_cps": [310, 298, 275, 281], "background_cps": [262, 255, 249, 258]},
               "neutron": {"max_counts": [1, 0, 2, 1], "background_counts": [2, 1, 3, 2]},
               "gamma_alarm": False, "neutron_alarm": False, "alarm": False, "speed_kmh": 9.0}
    return {**reading, **changes}


NORM = {"id": "adj-1", "inspection_id": "insp-7", "occupancy_event": "0f6c1e2a-8d7b-4c53-9a51-3f1c2e4d5b60",
        "code": "innocent_norm", "secondary": {"performed": True, "result": "source_identified",
                                               "nuclide": "K-40", "dose_rate_usv_h": 0.35},
        "note": "ceramic tiles, as declared"}


def export(reading: dict, adjudications: list[dict] | None = None) -> tuple[bytes, ET.Element]:
    document = occupancy_n42(reading, lane=LANE, device_id="rpm-1", adjudications=adjudications or [])
    validate(document)
    return document, ET.fromstring(document)


def counts(root: ET.Element, measurement: str) -> dict[str, float]:
    found = root.findall(f"n:RadMeasurement[@id='{measurement}']/n:GrossCounts", NS)
    return {g.get("radDetectorInformationReference"): float(g.findtext("n:CountData", namespaces=NS)) for g in found}


def test_a_clean_occupancy():
    _, root = export(occupancy())
    info = root.find("n:RadInstrumentInformation", NS)
    assert info.findtext("n:RadInstrumentClassCode", namespaces=NS) == "Portal Monitor"
    assert info.findtext("n:RadInstrumentIdentifier", namespaces=NS) == "rpm-1"
    assert "Lane 3 (trucks)" in info.findtext("n:RadInstrumentDescription", namespaces=NS)
    categories = [d.findtext("n:RadDetectorCategoryCode", namespaces=NS)
                  for d in root.findall("n:RadDetectorInformation", NS)]
    assert categories == ["Gamma"] * 4 + ["Neutron"] * 4
    foreground = root.find("n:RadMeasurement[@id='occupancy']", NS)
    assert foreground.findtext("n:MeasurementClassCode", namespaces=NS) == "Foreground"
    assert foreground.findtext("n:StartDateTime", namespaces=NS) == "2026-03-02T10:05:00.400Z"
    assert foreground.findtext("n:RealTimeDuration", namespaces=NS) == "PT5.800S"
    assert foreground.findtext("n:OccupancyIndicator", namespaces=NS) == "true"
    assert counts(root, "occupancy") == {"G1": 310, "G2": 298, "G3": 275, "G4": 281, "N1": 1, "N2": 0, "N3": 2, "N4": 1}
    background = root.find("n:RadMeasurement[@id='background']", NS)
    assert background.findtext("n:MeasurementClassCode", namespaces=NS) == "Background"
    assert counts(root, "background") == {"G1": 262, "G2": 255, "G3": 249, "G4": 258,
                                          "N1": 2, "N2": 1, "N3": 3, "N4": 2}
    assert float(foreground.findtext("n:RadItemState/n:StateVector/n:SpeedValue", namespaces=NS)) == 2.5  # m/s
    assert root.findall(".//n:RadAlarm", NS) == []
    assert root.findtext("n:AnalysisResults/n:AnalysisResultDescription", namespaces=NS) == "No alarm"


def test_a_gamma_alarm_with_its_adjudication():
    reading = occupancy(gamma_alarm=True, alarm=True, gamma={"max_cps": [2410, 1980, 700, 655],
                                                              "background_cps": [262, 255, 249, 258]})
    _, root = export(reading, [NORM])
    [alarm] = root.findall("n:AnalysisResults/n:RadAlarm", NS)
    assert alarm.findtext("n:RadAlarmCategoryCode", namespaces=NS) == "Gamma"
    assert alarm.get("radDetectorInformationReferences") == "G1 G2 G3 G4"
    [remark] = [r.text for r in alarm.findall("n:Remark", NS)]
    assert remark.startswith("adjudication: innocent_norm; secondary: performed, source identified, nuclide K-40")
    assert "0.35 µSv/h" in remark and "note: ceramic tiles, as declared" in remark
    assert counts(root, "occupancy")["G1"] == 2410


def test_a_neutron_alarm_and_a_second_adjudication():
    second = {**NORM, "id": "adj-2", "code": "real_threat", "secondary": {"performed": False, "result": "not_done"},
              "note": None}
    _, root = export(occupancy(neutron_alarm=True, alarm=True), [NORM, second])
    [alarm] = root.findall("n:AnalysisResults/n:RadAlarm", NS)
    assert alarm.findtext("n:RadAlarmCategoryCode", namespaces=NS) == "Neutron"
    assert alarm.get("radDetectorInformationReferences") == "N1 N2 N3 N4"
    remarks = [r.text for r in alarm.findall("n:Remark", NS)]
    assert remarks[1].startswith("adjudication: real_threat; secondary: not performed, not done; record adj-2")


def test_an_occupancy_without_speed_or_background():
    reading = occupancy(speed_kmh=None, gamma={"max_cps": [300] * 4, "background_cps": None},
                        neutron={"max_counts": [0] * 4, "background_counts": None})
    _, root = export(reading)
    assert root.find(".//n:RadItemState", NS) is None
    assert root.find("n:RadMeasurement[@id='background']", NS) is None


def test_an_adjudication_of_a_pass_without_alarm_is_kept_and_control_characters_cannot_break_the_xml():
    tamper = {**NORM, "code": "tamper", "secondary": {}, "note": "seal broken\x07\x1b on the pillar"}
    _, root = export(occupancy(), [tamper])
    [remark] = [r.text for r in root.findall("n:AnalysisResults/n:Remark", NS)]
    assert remark.startswith("adjudication: tamper; note: seal broken\ufffd\ufffd on the pillar")


def test_the_same_occupancy_and_adjudications_give_the_same_document():
    first, _ = export(occupancy(gamma_alarm=True, alarm=True), [NORM])
    again, _ = export(occupancy(gamma_alarm=True, alarm=True), [NORM])
    adjudicated_later, root = export(occupancy(gamma_alarm=True, alarm=True), [NORM, {**NORM, "id": "adj-9"}])
    assert first == again and first != adjudicated_later
    assert ET.fromstring(first).get("n42DocUUID") != root.get("n42DocUUID")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10_000_000), min_size=4, max_size=4),
       st.lists(st.integers(0, 10_000_000), min_size=4, max_size=4),
       st.booleans(), st.booleans(), st.one_of(st.none(), st.floats(0, 300)), st.integers(0, 999_999),
       st.text(max_size=40))
def test_any_occupancy_reading_makes_a_valid_document(gamma, neutron, gamma_alarm, neutron_alarm, speed, count, note):
    reading = occupancy(occupancy=count, gamma={"max_cps": gamma, "background_cps": gamma},
                        neutron={"max_counts": neutron, "background_counts": None}, gamma_alarm=gamma_alarm,
                        neutron_alarm=neutron_alarm, alarm=gamma_alarm or neutron_alarm, speed_kmh=speed)
    export(reading, [{**NORM, "note": note}])


# ----- a document that is not N42.42 fails, so the checks above can fail ------------------------------------
def _broken(old: bytes, new: bytes) -> bytes:
    document = occupancy_n42(occupancy(), lane=LANE, device_id="rpm-1", adjudications=[])
    assert old in document
    return document.replace(old, new)


@pytest.mark.parametrize("document, where", [
    (_broken(b"<RadInstrumentClassCode>Portal Monitor", b"<RadInstrumentClassCode>Toaster"), "RadInstrumentClassCode"),
    (_broken(b"<MeasurementClassCode>Foreground</MeasurementClassCode>", b""), "RadMeasurement"),
    (_broken(b"<CountData>310</CountData>", b"<CountData>-310</CountData>"), "CountData"),
    (_broken(b'radDetectorInformationReference="G1"', b'radDetectorInformationReference="X9"'), "IDREF 'X9' not found"),
    (_broken(b"<OccupancyIndicator>true", b"<OccupancyIndicator>maybe"), "OccupancyIndicator"),
])
def test_a_broken_document_fails_validation(document, where):
    with pytest.raises(N42Invalid, match=where):
        validate(document)


def test_what_is_not_xml_or_hides_entities_fails_validation():
    with pytest.raises(N42Invalid, match="not XML"):
        validate(b"<RadInstrumentData")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<RadInstrumentData xmlns="http://physics.nist.gov/N42/2011/N42">&b;</RadInstrumentData>')
    with pytest.raises(N42Invalid, match="not XML"):
        validate(bomb)
