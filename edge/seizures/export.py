"""A seizure as the enforcement community exchanges it: ``lanebox-cen-1`` JSON — pure.

The export follows the WCO CEN / nCEN seizure record (docs/seizure-export.md
lists every field and where it comes from): the seizure (when, where, who,
under what law), how it was detected, the concealment, the conveyance, the
route, the commodities, and — in lists of their own, as nCEN keeps suspects
and companies in databases of their own — the persons and the companies.
Every code is given with its words, so a reader without this page still
understands it. The evidence part names the bags (sub-bags under their
parent) and every event the export rests on by id and hash, so anyone with
the lane's chain can check the export against the record.
"""

from __future__ import annotations

from typing import Any

from edge.seizures.cen import (
    COMPANY_ROLES,
    CONCEALMENT_METHODS,
    DETECTION_METHODS,
    DOCUMENT_TYPES,
    FORMAT,
    PERSON_ROLES,
    VEHICLE_TYPES,
)


def _coded(code: str, vocabulary: dict[str, str]) -> dict[str, str]:
    return {"code": code, "words": vocabulary[code]}


def _methods(section: dict[str, Any] | None, vocabulary: dict[str, str], detail: str) -> dict[str, Any] | None:
    if section is None:
        return None
    return {"methods": [_coded(code, vocabulary) for code in section["methods"]], detail: section.get(detail)}


def _conveyance(section: dict[str, Any] | None) -> dict[str, Any] | None:
    if section is None:
        return None
    return {"vehicle_type": _coded(section["vehicle_type"], VEHICLE_TYPES), "plate": section.get("plate"),
            "registration_country": section.get("registration_country"),
            "trailer_plate": section.get("trailer_plate"), "containers": section.get("containers", [])}


def _person(person: dict[str, Any]) -> dict[str, Any]:
    document = person.get("document_type")
    return {"role": _coded(person["role"], PERSON_ROLES), "surname": person["surname"],
            "given_names": person.get("given_names"), "nationality": person.get("nationality"),
            "birth_date": person.get("birth_date"),
            "document": {"type": _coded(document, DOCUMENT_TYPES) if document else None,
                         "number": person.get("document_number"), "country": person.get("document_country")}}


def _company(company: dict[str, Any]) -> dict[str, Any]:
    return {"role": _coded(company["role"], COMPANY_ROLES), "name": company["name"],
            "country": company.get("country"), "eori": company.get("eori"),
            "registration": company.get("registration")}


def _commodity(item: dict[str, Any]) -> dict[str, Any]:
    weighed = item.get("weighed")
    return {"description": item["description"], "hs_code": item["hs_code"], "quantity": item["quantity"],
            "unit": item["unit"], "weight_kg": item.get("weight_kg"),
            "weighed_on": weighed["device_id"] if weighed else None, "value": item["value"],
            "currency": item["currency"]}


def _bag(bag: dict[str, Any]) -> dict[str, Any]:
    sealed = bag["custody"][0] if bag["custody"] and bag["custody"][0]["action"] == "sealed" else None
    return {"bag_id": bag["bag_id"], "parent_bag_id": bag.get("parent_bag_id"), "description": bag["description"],
            "items": bag["items"], "state": bag["state"], "seal_number": sealed["seal_number"] if sealed else None,
            "sealed_weight_kg": (sealed.get("weighed") or {}).get("weight_kg") if sealed else None}


def cen_export(seizure: dict[str, Any], inspection: dict[str, Any] | None, lane: dict[str, str],
               exported_at: str, exported_by: str) -> dict[str, Any]:
    """The ``lanebox-cen-1`` document of ``seizure`` (its VIEW with ``cen``) from ``inspection`` (VIEW)."""
    cen = seizure.get("cen") or {}
    return {
        "format": FORMAT, "exported_at": exported_at, "exported_by": exported_by,
        "source": {"system": "lanebox", "lane_id": lane["id"], "lane_name": lane["name"]},
        "seizure": {"reference": seizure["id"], "inspection_reference": seizure["inspection_id"],
                    "declaration_reference": (inspection or {}).get("declaration_ref"),
                    "date": seizure["created_at"], "officer": seizure["created_by"],
                    "place": lane["name"], "legal_basis": seizure["legal_basis"]},
        "detection": _methods(cen.get("detection"), DETECTION_METHODS, "details"),
        "concealment": _methods(cen.get("concealment"), CONCEALMENT_METHODS, "place"),
        "conveyance": _conveyance(cen.get("conveyance")),
        "route": cen.get("route"),
        "commodities": [_commodity(item) for item in seizure["items"]],
        "persons": [_person(person) for person in cen.get("persons", [])],
        "companies": [_company(company) for company in cen.get("companies", [])],
        "evidence": {"bags": [_bag(bag) for bag in seizure["bags"]],
                     "events": [{key: event[key] for key in ("seq", "id", "type", "ts", "hash")}
                                for event in seizure["events"]]},
    }
