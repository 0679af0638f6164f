"""What the enforcement community exchanges about the seizure (WCO CEN / nCEN), on paper:
how it was found, where it was hidden, the vehicle, the route, the persons and the companies —
in words, each country by its name (docs/seizure-export.md has the same in JSON)."""

from __future__ import annotations

from typing import Any

import pycountry

from edge.reports.document import Document
from edge.seizures.cen import (
    COMPANY_ROLES,
    CONCEALMENT_METHODS,
    DETECTION_METHODS,
    DOCUMENT_TYPES,
    PERSON_ROLES,
    VEHICLE_TYPES,
)


def country(code: str | None) -> str | None:
    """A country's name for its ISO 3166-1 alpha-2 code (the code itself if unknown)."""
    found = pycountry.countries.get(alpha_2=code) if code else None
    return found.name if found is not None else code


def _joined(*parts: str | None, sep: str = ", ") -> str | None:
    return sep.join(p for p in parts if p) or None


def _person(person: dict[str, Any]) -> str:
    document = _joined(DOCUMENT_TYPES.get(person.get("document_type") or ""), person.get("document_number"),
                       f"issued by {country(person['document_country'])}" if person.get("document_country") else None,
                       sep=" ")
    name = _joined(person.get("given_names"), person.get("surname"), sep=" ")
    return _joined(f"{PERSON_ROLES[person['role']]}: {name or '(name erased)'}",
                   f"born {person['birth_date']}" if person.get("birth_date") else None,
                   f"nationality {country(person['nationality'])}" if person.get("nationality") else None,
                   document) or ""


def _company(company: dict[str, Any]) -> str:
    return _joined(f"{COMPANY_ROLES[company['role']]}: {company['name']}", country(company.get("country")),
                   f"EORI {company['eori']}" if company.get("eori") else None,
                   company.get("registration")) or ""


def cen_section(doc: Document, cen: dict[str, Any]) -> None:
    """The seizure's CEN sections, when it has any (a seizure recorded before them has none)."""
    if not cen:
        return
    detection, concealment = cen.get("detection") or {}, cen.get("concealment") or {}
    vehicle, route = cen.get("conveyance") or {}, cen.get("route") or {}
    doc.heading("How it was found, where it was hidden, who and what was involved")
    pairs = [
        ("Found by", _joined(*(DETECTION_METHODS[m] for m in detection.get("methods", [])), detection.get("details"))),
        ("Hidden", _joined(_joined(*(CONCEALMENT_METHODS[m] for m in concealment.get("methods", []))),
                           concealment.get("place"), sep=" - ")),
        ("Vehicle", _joined(VEHICLE_TYPES.get(vehicle.get("vehicle_type") or ""), vehicle.get("plate"),
                            country(vehicle.get("registration_country")),
                            f"trailer {vehicle['trailer_plate']}" if vehicle.get("trailer_plate") else None,
                            f"containers {', '.join(vehicle['containers'])}" if vehicle.get("containers") else None)),
        ("Goods from", country(route.get("origin_country"))),
        ("Departed", _joined(route.get("departure_place"), country(route.get("departure_country")))),
        ("Through", _joined(*(country(c) for c in route.get("transit_countries", [])))),
        ("Going to", _joined(route.get("destination_place"), country(route.get("destination_country")))),
        *((f"Person {i}", _person(p)) for i, p in enumerate(cen.get("persons") or [], start=1)),
        *((f"Company {i}", _company(c)) for i, c in enumerate(cen.get("companies") or [], start=1)),
    ]
    doc.fields([(label, value) for label, value in pairs if value])
