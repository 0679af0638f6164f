"""An RPM occupancy and its adjudications as an ANSI N42.42-2011 document, and the check that it is one.

N42.42 is how radiation results travel between programmes, laboratories
and reach-back centres, so an occupancy exported from a lane must be a
document their tools read. :func:`occupancy_n42` is a pure function of
the occupancy reading (docs/contract.md, kind ``radiation``) and the
``radiation.adjudicated`` payloads; the same inputs give the same bytes
(the document's UUID is derived from them), so an export can be checked
against the event log later. :func:`validate` checks a document against
the published schema (``schema/n42.xsd``), offline. Where the schema has
no element for something lanebox knows (an adjudication, the monitor's
occupancy number) it goes into ``Remark``, the free text every N42
element may carry: the schema's extension points need a schema of their
own that other tools would not have. See docs/protocols.md section 11.
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema

from common.version import package_version

N42 = "http://physics.nist.gov/N42/2011/N42"
SCHEMA = Path(__file__).with_name("schema") / "n42.xsd"
DETECTORS = 4
GAMMA_IDS = tuple(f"G{i}" for i in range(1, DETECTORS + 1))
NEUTRON_IDS = tuple(f"N{i}" for i in range(1, DETECTORS + 1))
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold (control characters an officer's note might carry)."""
ET.register_namespace("", N42)  # N42 documents are written with it as the default namespace


class N42Invalid(ValueError):
    """A document that is not valid ANSI N42.42-2011; the message says where."""


def occupancy_n42(occupancy: dict[str, Any], *, lane: dict[str, Any], device_id: str,
                  adjudications: list[dict[str, Any]]) -> bytes:
    """The N42.42 XML (UTF-8) for one ``phase == "occupancy"`` reading plus ``"id"`` (its event id)."""
    root = ET.Element(_n("RadInstrumentData"), {"n42DocUUID": str(_doc_uuid(occupancy, adjudications))})
    _text(root, "RadInstrumentDataCreatorName", "lanebox")
    _instrument(root, lane, device_id)
    for ids, category, kind in ((GAMMA_IDS, "Gamma", "PVT"), (NEUTRON_IDS, "Neutron", "He3")):
        for number, detector in enumerate(ids, 1):
            info = ET.SubElement(root, _n("RadDetectorInformation"), {"id": detector})
            _text(info, "RadDetectorName", detector)
            _text(info, "RadDetectorCategoryCode", category)
            _text(info, "RadDetectorKindCode", kind)
            _text(info, "RadDetectorDescription", f"{category.lower()} detector {number} of the portal")
    vehicle = ET.SubElement(root, _n("RadItemInformation"), {"id": "vehicle"})
    _text(vehicle, "RadItemDescription", "the vehicle that passed through the portal")
    _background(root, occupancy)
    _foreground(root, occupancy)
    _analysis(root, occupancy, adjudications)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def validate(document: bytes) -> None:
    """Raise :class:`N42Invalid` unless ``document`` is valid against the published N42.42-2011 schema.

    The document is parsed with entities and remote references refused (``defuse="always"``): a
    document handed in to be checked is not trusted to be ours."""
    try:
        resource = xmlschema.XMLResource(io.BytesIO(document), defuse="always")
        error = next(_schema().iter_errors(resource), None)
    except (xmlschema.XMLResourceError, ET.ParseError, ValueError) as exc:
        raise N42Invalid(f"not XML: {exc}") from None
    if error is not None:
        raise N42Invalid(f"{error.reason} at {error.path}")


@lru_cache(maxsize=1)
def _schema() -> xmlschema.XMLSchema:
    """The schema, read once (reading it takes a few tenths of a second)."""
    return xmlschema.XMLSchema(str(SCHEMA))


def _doc_uuid(occupancy: dict[str, Any], adjudications: list[dict[str, Any]]) -> uuid.UUID:
    names = ":".join([str(occupancy["id"]), *(str(a.get("id")) for a in adjudications)])
    return uuid.uuid5(uuid.NAMESPACE_URL, f"lanebox:rpm-occupancy:{names}")


def _n(tag: str) -> str:
    return f"{{{N42}}}{tag}"


def _text(parent: ET.Element, tag: str, text: str, attrib: dict[str, str] | None = None) -> ET.Element:
    element = ET.SubElement(parent, _n(tag), attrib or {})
    element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _instrument(root: ET.Element, lane: dict[str, Any], device_id: str) -> None:
    info = ET.SubElement(root, _n("RadInstrumentInformation"), {"id": "instrument"})
    # the lines do not say who made the monitor; the schema allows one run of punctuation in a name
    _text(info, "RadInstrumentManufacturerName", "Unknown")
    _text(info, "RadInstrumentIdentifier", device_id)
    _text(info, "RadInstrumentModelName", "Rapiscan-type vehicle portal monitor")
    _text(info, "RadInstrumentDescription", f"{device_id} at lane {lane.get('name') or lane['id']} ({lane['id']})")
    _text(info, "RadInstrumentClassCode", "Portal Monitor")
    version = ET.SubElement(info, _n("RadInstrumentVersion"))
    _text(version, "RadInstrumentComponentName", "lanebox")
    _text(version, "RadInstrumentComponentVersion", package_version())


def _gross_counts(measurement: ET.Element, prefix: str, detectors: tuple[str, ...], counts: list[int],
                  live_time: str) -> None:
    for detector, count in zip(detectors, counts):
        gross = ET.SubElement(measurement, _n("GrossCounts"),
                              {"id": f"{prefix}-{detector}", "radDetectorInformationReference": detector})
        _text(gross, "LiveTimeDuration", live_time)
        _text(gross, "CountData", str(count))


def _background(root: ET.Element, occupancy: dict[str, Any]) -> None:
    gamma, neutron = occupancy["gamma"]["background_cps"], occupancy["neutron"]["background_counts"]
    if gamma is None and neutron is None:
        return
    started = _when(occupancy["started_at"])
    measurement = ET.SubElement(root, _n("RadMeasurement"), {"id": "background"})
    _text(measurement, "Remark", "the monitor's last background before the vehicle: "
                                 "gamma in counts per second, neutron as the monitor counted it")
    _text(measurement, "MeasurementClassCode", "Background")
    _text(measurement, "StartDateTime", _iso(started - timedelta(seconds=1)))
    _text(measurement, "RealTimeDuration", "PT1S")
    _gross_counts(measurement, "background", GAMMA_IDS, gamma or [], "PT1S")
    _gross_counts(measurement, "background", NEUTRON_IDS, neutron or [], "PT1S")
    _text(measurement, "OccupancyIndicator", "false")


def _foreground(root: ET.Element, occupancy: dict[str, Any]) -> None:
    started, ended = _when(occupancy["started_at"]), _when(occupancy["ended_at"])
    measurement = ET.SubElement(root, _n("RadMeasurement"),
                                {"id": "occupancy", "radItemInformationReferences": "vehicle"})
    _text(measurement, "Remark", f"occupancy {occupancy['occupancy']} as the monitor counts them; lane event "
                                 f"{occupancy['id']}. Gross counts are each detector's highest: gamma over 1 s of "
                                 "the pass, neutron over one 200 ms scan")
    _text(measurement, "MeasurementClassCode", "Foreground")
    _text(measurement, "StartDateTime", _iso(started))
    _text(measurement, "RealTimeDuration", f"PT{max(0.0, (ended - started).total_seconds()):.3f}S")
    _gross_counts(measurement, "occupancy", GAMMA_IDS, occupancy["gamma"]["max_cps"], "PT1S")
    _gross_counts(measurement, "occupancy", NEUTRON_IDS, occupancy["neutron"]["max_counts"], "PT0.2S")
    if occupancy.get("speed_kmh") is not None:
        state = ET.SubElement(measurement, _n("RadItemState"), {"radItemInformationReference": "vehicle"})
        vector = ET.SubElement(state, _n("StateVector"))
        _text(vector, "SpeedValue", f"{occupancy['speed_kmh'] / 3.6:.3f}", {"units": "m/s"})
    _text(measurement, "OccupancyIndicator", "true")


def _analysis(root: ET.Element, occupancy: dict[str, Any], adjudications: list[dict[str, Any]]) -> None:
    analysis = ET.SubElement(root, _n("AnalysisResults"), {"radMeasurementReferences": "occupancy"})
    alarms = [(category, ids) for category, ids, raised in (
        ("Gamma", GAMMA_IDS, occupancy["gamma_alarm"]), ("Neutron", NEUTRON_IDS, occupancy["neutron_alarm"]))
        if raised]
    if not alarms:  # an adjudication of a pass without alarm (a tamper, a test) still belongs to it
        for adjudication in adjudications:
            _text(analysis, "Remark", _adjudication_remark(adjudication))
    _text(analysis, "AnalysisAlgorithmName", "the portal monitor's own alarm decision")
    words = " and ".join(category.lower() for category, _ in alarms)
    _text(analysis, "AnalysisResultDescription", f"{words} alarm".capitalize() if alarms else "No alarm")
    for category, ids in alarms:
        alarm = ET.SubElement(analysis, _n("RadAlarm"), {"radDetectorInformationReferences": " ".join(ids)})
        for adjudication in adjudications:
            _text(alarm, "Remark", _adjudication_remark(adjudication))
        _text(alarm, "RadAlarmCategoryCode", category)
        _text(alarm, "RadAlarmDescription", f"{category.lower()} alarm during the occupancy")


def _adjudication_remark(adjudication: dict[str, Any]) -> str:
    """One adjudication in words a reader of the document follows: code, secondary inspection, note."""
    parts = [f"adjudication: {adjudication['code']}"]
    secondary = adjudication.get("secondary") or {}
    if secondary:
        scan = f"secondary: {'performed' if secondary.get('performed') else 'not performed'}"
        scan += f", {str(secondary.get('result', 'not_done')).replace('_', ' ')}"
        if secondary.get("nuclide"):
            scan += f", nuclide {secondary['nuclide']}"
        if secondary.get("dose_rate_usv_h") is not None:
            scan += f", dose rate {secondary['dose_rate_usv_h']} µSv/h"
        parts.append(scan)
    if adjudication.get("note"):
        parts.append(f"note: {adjudication['note']}")
    parts.append(f"record {adjudication.get('id')} of inspection {adjudication.get('inspection_id')}")
    return "; ".join(parts)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
