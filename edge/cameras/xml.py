"""Vendor XML read safely: no DTDs, no entities (billion laughs, external
entities), elements found by local name whatever namespace the firmware
version puts them in."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from edge.cameras.reads import ReadRefused


def parse_xml(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise ReadRefused(f"the body is not well-formed XML: {exc}", "invalid_xml") from None


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def child(element: Element | None, name: str) -> Element | None:
    """The first direct child named ``name`` (any namespace)."""
    if element is None:
        return None
    return next((c for c in element if local(c.tag) == name), None)


def text(element: Element | None, name: str) -> str | None:
    found = child(element, name)
    return None if found is None or found.text is None else found.text.strip()
