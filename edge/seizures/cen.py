"""What a seizure tells the enforcement community: the WCO CEN / nCEN shape — pure.

The WCO's Customs Enforcement Network (CEN) and its national version (nCEN)
keep a seizure with how it was found (detection method), how and where the
goods were hidden (concealment), the means of conveyance, the route, and the
persons and companies involved, in three linked databases: seizures, suspects,
companies (docs/seizure-export.md cites the sources). A lane already knows
most of it when goods are seized: the plate and containers of the inspection,
the declaration's origin and its consignor, consignee and haulier, the
driver's passport, the radiation and trace alarms that led to the search. So
the officer confirms what :func:`prefill` proposes instead of typing it.

The lists are closed, so an export means the same in every port; a country is
an ISO 3166-1 alpha-2 code (a travel document's ICAO 9303 codes are mapped).
Persons are a list of their own (``persons``) apart from the seizure's other
fields: their names, document numbers and birth dates are personal data that
retention may seal and erase without touching the rest of the record.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pycountry

from common.web.routing import obj

FORMAT = "lanebox-cen-1"

DETECTION_METHODS = {
    "rpm": "Radiation portal monitor", "x_ray": "X-ray or scanner", "detector_dog": "Detector dog",
    "trace": "Trace detector", "weight_check": "Weight check", "risk_profile": "Risk profile",
    "intelligence": "Intelligence or watchlist", "document_check": "Document check",
    "random": "Random check", "physical_search": "Physical search", "officer_observation": "Officer's observation",
    "other": "Other",
}
CONCEALMENT_METHODS = {
    "not_concealed": "Not concealed", "in_cargo": "Among the cargo", "inside_goods": "Inside the goods",
    "false_compartment": "False compartment", "natural_cavity": "Natural cavity of the vehicle",
    "vehicle_structure": "In the vehicle's structure", "in_luggage": "In luggage",
    "on_person": "On the person", "in_body": "Inside the body", "misdeclared": "Misdeclared goods",
    "other": "Other",
}
VEHICLE_TYPES = {
    "lorry": "Lorry", "lorry_with_trailer": "Lorry with trailer", "van": "Van", "car": "Car", "bus": "Bus or coach",
    "motorcycle": "Motorcycle", "other": "Other",
}
PERSON_ROLES = {"driver": "Driver", "passenger": "Passenger", "owner": "Owner", "consignor": "Consignor",
                "consignee": "Consignee", "haulier": "Haulier", "declarant": "Declarant", "other": "Other"}
COMPANY_ROLES = {"consignor": "Consignor", "consignee": "Consignee", "haulier": "Haulier", "declarant": "Declarant",
                 "owner": "Owner", "other": "Other"}
DOCUMENT_TYPES = {"passport": "Passport", "identity_card": "Identity card", "driving_licence": "Driving licence",
                  "residence_permit": "Residence permit", "other": "Other"}

COUNTRIES = sorted(country.alpha_2 for country in pycountry.countries)
COUNTRY = {"enum": COUNTRIES, "description": "ISO 3166-1 alpha-2 country code"}
PLACE = {"type": "string", "minLength": 1, "maxLength": 200}
NAME = {"type": "string", "minLength": 1, "maxLength": 200}
PLATE = {"type": "string", "pattern": "^[A-Z0-9]{2,12}$",
         "description": "as painted, spaces and dashes left out, capitals"}
CONTAINER = {"type": "string", "pattern": "^[A-Z]{4}[0-9]{7}$", "description": "ISO 6346, e.g. CSQU3054383"}
DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}


def _methods(vocabulary: dict[str, str]) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(vocabulary)}, "minItems": 1, "maxItems": len(vocabulary),
            "uniqueItems": True}


SCHEMAS: dict[str, dict[str, Any]] = {
    "detection": obj({"methods": _methods(DETECTION_METHODS), "details": PLACE}, required=("methods",)),
    "concealment": obj({"methods": _methods(CONCEALMENT_METHODS),
                        "place": {**PLACE, "description": "where exactly, e.g. behind the cab's rear panel"}},
                       required=("methods",)),
    "conveyance": obj({"vehicle_type": {"enum": list(VEHICLE_TYPES)}, "plate": PLATE,
                       "registration_country": COUNTRY, "trailer_plate": PLATE,
                       "containers": {"type": "array", "items": CONTAINER, "maxItems": 50, "uniqueItems": True}},
                      required=("vehicle_type",)),
    "route": obj({"origin_country": COUNTRY, "departure_country": COUNTRY, "departure_place": PLACE,
                  "destination_country": COUNTRY, "destination_place": PLACE,
                  "transit_countries": {"type": "array", "items": COUNTRY, "maxItems": 20, "uniqueItems": True}}),
    "persons": {"type": "array", "maxItems": 50, "items": obj({
        "role": {"enum": list(PERSON_ROLES)}, "surname": NAME, "given_names": NAME, "nationality": COUNTRY,
        "birth_date": DATE, "document_type": {"enum": list(DOCUMENT_TYPES)},
        "document_number": {"type": "string", "pattern": "^[A-Z0-9]{1,20}$"}, "document_country": COUNTRY},
        required=("role", "surname"))},
    "companies": {"type": "array", "maxItems": 50, "items": obj({
        "role": {"enum": list(COMPANY_ROLES)}, "name": {"type": "string", "minLength": 1, "maxLength": 500},
        "country": COUNTRY, "eori": {"type": "string", "pattern": "^[A-Z]{2}[A-Z0-9]{1,15}$",
                                     "description": "EORI number: country code and up to 15 letters or digits"},
        "registration": {"type": "string", "minLength": 1, "maxLength": 64}},
        required=("role", "name"))},
}
"""The seizure's CEN sections, each optional in a request (a client of before keeps working)."""
SECTIONS = tuple(SCHEMAS)
PERSONAL_FIELDS = ("surname", "given_names", "birth_date", "document_number")
"""What a person entry holds that identifies them: listed in the consultation log when served."""


def bad_date(section: dict[str, Any]) -> str | None:
    """The field path of a birth date in ``persons`` that is no calendar date (2026-02-30), or None."""
    for i, person in enumerate(section.get("persons", [])):
        try:
            if "birth_date" in person:
                dt.date.fromisoformat(person["birth_date"])
        except ValueError:
            return f"persons.{i}.birth_date"
    return None


# ----- prefill: what the inspection already says ------------------------------
_FLAG_METHODS = {"rpm_alarm": "rpm", "radiation_threat": "rpm", "trace_alarm": "trace",
                 "watchlist_hit": "intelligence", "document_watchlisted": "intelligence",
                 "weight_discrepancy": "weight_check"}
_ICAO_ONLY = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB"}
"""ICAO 9303 codes that are not ISO 3166-1 alpha-3 (Germany's ``D``, British nationals' variants)."""
_DOCUMENT_TYPES = {"P": "passport", "I": "identity_card", "A": "identity_card", "C": "identity_card"}


def country_of(code: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code for an alpha-2, an alpha-3 or an ICAO 9303 code; None if not a country."""
    code = (code or "").strip().upper()
    if code in _ICAO_ONLY:
        return _ICAO_ONLY[code]
    country = (pycountry.countries.get(alpha_2=code) if len(code) == 2 else
               pycountry.countries.get(alpha_3=code) if len(code) == 3 else None)
    return country.alpha_2 if country is not None else None


def _detection(inspection: dict[str, Any]) -> list[str]:
    codes = [flag["code"] for flag in inspection.get("flags", [])]
    methods = [_FLAG_METHODS[code] for code in codes if code in _FLAG_METHODS]
    methods += ["document_check" for code in codes if code.startswith("document_") and code != "document_watchlisted"]
    if (inspection.get("radiation") or {}).get("state") in ("alarm", "adjudicated"):
        methods.append("rpm")
    if (inspection.get("risk") or {}).get("level") in ("high", "medium"):
        methods.append("risk_profile")
    return [method for method in DETECTION_METHODS if method in methods]


def _driver(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The driver as the attached travel document gives them (none without one)."""
    data = (document or {}).get("data") or {}
    mrz = data.get("mrz") if isinstance(data.get("mrz"), dict) else data
    if not mrz.get("surname"):
        return []
    person = {"role": "driver", "surname": mrz["surname"], "given_names": mrz.get("given_names"),
              "nationality": country_of(mrz.get("nationality")), "birth_date": mrz.get("birth_date"),
              "document_type": _DOCUMENT_TYPES.get(str(mrz.get("document_type") or "")[:1]),
              "document_number": mrz.get("document_number"), "document_country": country_of(mrz.get("issuing_state"))}
    return [{key: value for key, value in person.items() if value}]


def prefill(inspection: dict[str, Any]) -> dict[str, Any]:
    """The CEN sections an officer is offered for a seizure from ``inspection`` (its VIEW): detection
    from its flags, radiation and risk; the conveyance from its plate and containers; the route's
    origin from the declaration; the driver from the attached document; the declaration's consignor,
    consignee and haulier. Nothing is guessed beyond what the inspection holds."""
    declaration = inspection.get("declaration") or {}
    plate = "".join(ch for ch in str(inspection.get("plate") or "").upper() if ch.isalnum())
    containers = [c for c in inspection.get("containers") or [] if re.fullmatch(CONTAINER["pattern"], c)]
    conveyance: dict[str, Any] = {"vehicle_type": "lorry", "containers": containers}
    if 2 <= len(plate) <= 12:
        conveyance["plate"] = plate
    origin = country_of(declaration.get("origin"))
    route = {"origin_country": origin} if origin else {}
    companies = [{"role": role, "name": declaration[role]} for role in ("consignor", "consignee", "haulier")
                 if declaration.get(role)]
    return {"detection": {"methods": _detection(inspection)}, "conveyance": conveyance, "route": route,
            "persons": _driver(inspection.get("document")), "companies": companies}
