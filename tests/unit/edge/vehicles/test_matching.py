"""The matching rules of camera reads and radiation scans to vehicles (edge/vehicles/matching.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from edge.vehicles.matching import Seen, vehicle_for_read, vehicle_for_scan_end, vehicle_for_scan_start

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
WINDOW = 30.0


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seen(vehicle_id: str, seconds: float, plate: str | None = None, trigger: str = "occupancy",
         scan: str = "none") -> Seen:
    return Seen(id=vehicle_id, last_seen=at(seconds), plate=plate, trigger=trigger, scan=scan)


def test_a_read_joins_the_vehicle_with_its_plate_even_when_a_newer_one_has_none() -> None:
    vehicles = [seen("a", 0, "KHN512"), seen("b", 5)]
    assert vehicle_for_read(vehicles, "KHN512", at(8), WINDOW) == "a"


def test_a_new_plate_joins_the_newest_unplated_vehicle() -> None:
    vehicles = [seen("a", 0), seen("b", 5), seen("c", 6, "AB12CDE")]
    assert vehicle_for_read(vehicles, "KHN512", at(8), WINDOW) == "b"


def test_a_plate_that_conflicts_with_every_vehicle_is_a_new_vehicle() -> None:
    assert vehicle_for_read([seen("a", 0, "AB12CDE")], "KHN512", at(2), WINDOW) is None


def test_a_read_outside_the_window_is_a_new_vehicle() -> None:
    assert vehicle_for_read([seen("a", 0)], "KHN512", at(WINDOW + 1), WINDOW) is None
    assert vehicle_for_read([seen("a", 0, "KHN512")], "KHN512", at(WINDOW + 1), WINDOW) is None


def test_a_containers_only_read_joins_the_newest_vehicle_seen() -> None:
    vehicles = [seen("a", 0, "KHN512"), seen("b", 4, "AB12CDE")]
    assert vehicle_for_read(vehicles, None, at(6), WINDOW) == "b"
    assert vehicle_for_read([], None, at(6), WINDOW) is None


def test_a_scan_starts_on_the_vehicle_a_camera_just_read_only_if_it_had_none() -> None:
    assert vehicle_for_scan_start([seen("a", 0, "KHN512", trigger="plate")], at(3), WINDOW) == "a"
    assert vehicle_for_scan_start([seen("a", 0, "KHN512", trigger="plate", scan="done")], at(3), WINDOW) is None
    assert vehicle_for_scan_start([seen("a", 0, trigger="occupancy", scan="open")], at(3), WINDOW) is None


def test_a_scan_ends_on_the_vehicle_it_started_on_else_the_newest_unscanned_near_its_start() -> None:
    vehicles = [seen("a", 0, scan="open"), seen("b", 2, scan="done")]
    assert vehicle_for_scan_end(vehicles, at(0), WINDOW, scanning="a") == "a"
    assert vehicle_for_scan_end(vehicles, at(0), WINDOW, scanning=None) == "a"
    assert vehicle_for_scan_end([seen("b", 2, scan="done")], at(0), WINDOW, scanning=None) is None
    assert vehicle_for_scan_end(vehicles, at(0), WINDOW, scanning="gone") == "a"


# ----- any interleaving: a vehicle never gets two plates --------------------------------------------
PLATES = ["KHN512", "AB12CDE", "ZX99ABC", None]
SIGHTINGS = st.lists(st.tuples(st.sampled_from(["read", "start", "end"]), st.sampled_from(PLATES),
                               st.floats(min_value=0, max_value=40)), max_size=40)


def run(sightings: list[tuple[str, str | None, float]]) -> dict[str, list[str]]:
    """The plates each vehicle was given when the sightings arrive in this order (as the queue
    decides: a sighting that fits none makes a new vehicle)."""
    now = 0.0
    vehicles: dict[str, Seen] = {}
    plates: dict[str, list[str]] = {}
    scanning: str | None = None
    for kind, plate, gap in sightings:
        now += gap
        moment = at(now)
        if kind == "read":
            chosen = vehicle_for_read(vehicles.values(), plate, moment, WINDOW)
        elif kind == "start":
            chosen = vehicle_for_scan_start(vehicles.values(), moment, WINDOW)
        else:
            chosen = vehicle_for_scan_end(vehicles.values(), moment, WINDOW, scanning)
        chosen = chosen or f"v{len(vehicles)}"
        old = vehicles.get(chosen, Seen(chosen, moment, None, "plate" if kind == "read" else "occupancy", "none"))
        given_plate = plate if kind == "read" and plate else old.plate
        if kind == "read" and plate:
            plates.setdefault(chosen, []).append(plate)
        scan = {"start": "open", "end": "done"}.get(kind, old.scan)
        scanning = chosen if kind == "start" else None if kind == "end" else scanning
        vehicles[chosen] = Seen(chosen, moment, given_plate, old.trigger, scan)
    return plates


@settings(max_examples=300, deadline=None)
@given(SIGHTINGS)
def test_no_interleaving_of_scans_and_reads_merges_two_plates_into_one_vehicle(sightings) -> None:
    for vehicle, read in run(sightings).items():
        assert len(set(read)) == 1, f"{vehicle} was given {read}"


def test_two_lorries_queued_close_together_stay_two() -> None:
    plates = run([("start", None, 0), ("read", "KHN512", 1), ("end", None, 3), ("start", None, 1),
                  ("read", "AB12CDE", 1), ("end", None, 3)])
    assert sorted(plates.values()) == [["AB12CDE"], ["KHN512"]]
