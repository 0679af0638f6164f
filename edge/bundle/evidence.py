"""Which events a case's bundle shows in full: the case's own, and the evidence they cite.

A record's events (its ``record_events``) cite other events by id: a bag's
weighing (``weighed.event_id``), the calibration record a device stood on
(``calibration.last.id``), the photos by their SHA-256 (each a
``photo.stored`` event saying who took it and when). A court needs those
too, so they are followed until nothing new is cited; the raw device frames
and photo files they name come with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from common.eventlog.store import EventStore

PHOTO_STORED = "photo.stored"
CALIBRATION_RECORDED = "calibration.recorded"


@dataclass
class Evidence:
    """The events shown in full (by seq), the raw frames in them and the photos they name."""

    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    frames: list[tuple[int, list[Any]]] = field(default_factory=list)
    """(event seq, the path in its payload to a ``{"hex": ...}`` raw frame)"""
    photos: set[str] = field(default_factory=set)


def walk(value: Any, pointer: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value inside ``value`` with the keys and indexes that reach it."""
    yield pointer, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from walk(inner, (*pointer, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk(inner, (*pointer, index))


def _cited(payload: Any) -> Iterator[str]:
    """Ids of the events a payload cites: weighings and calibration records."""
    for pointer, value in walk(payload):
        name = pointer[-1] if pointer else None
        if name == "weighed" and isinstance(value, dict) and isinstance(value.get("event_id"), str):
            yield value["event_id"]
        if name == "calibration" and isinstance(value, dict) and isinstance(value.get("last"), dict) \
                and isinstance(value["last"].get("id"), str):
            yield value["last"]["id"]


def _photos(event: dict[str, Any]) -> Iterator[str]:
    if event["type"] == PHOTO_STORED:
        yield event["payload"]["sha256"]
    for pointer, value in walk(event["payload"]):
        if pointer and pointer[-1] == "photos" and isinstance(value, list):
            yield from (sha for sha in value if isinstance(sha, str))


def gather(store: EventStore, record_ids: Sequence[str], head_seq: int) -> Evidence:
    """The case's events and everything they cite, up to the head."""
    evidence = Evidence()
    pending = [e for e in store.record_events(list(record_ids)) if e["seq"] <= head_seq]
    while pending:
        event = pending.pop()
        if event["seq"] in evidence.events or event["seq"] > head_seq:
            continue
        evidence.events[event["seq"]] = event
        pending += [cited for cited in map(store.get, _cited(event["payload"])) if cited is not None]
        evidence.photos.update(_photos(event))
    photo_events = store.query("SELECT id FROM events WHERE type = ? AND json_extract(payload, '$.sha256') "
                               f"IN ({', '.join('?' * len(evidence.photos))})",
                               (PHOTO_STORED, *sorted(evidence.photos))) if evidence.photos else []
    for row in photo_events:
        event = store.get(row["id"])
        if event is not None and event["seq"] <= head_seq:
            evidence.events[event["seq"]] = event
    for seq, event in sorted(evidence.events.items()):
        evidence.frames += [(seq, list(pointer)) for pointer, value in walk(event["payload"])
                            if pointer and pointer[-1] == "raw" and isinstance(value, dict)
                            and isinstance(value.get("hex"), str)]
    return evidence


def calibration_records(evidence: Evidence) -> list[dict[str, Any]]:
    """The calibration and check records of the devices whose readings the case holds."""
    return [event for _, event in sorted(evidence.events.items())
            if event["type"] == CALIBRATION_RECORDED and "record" in event["payload"]]
