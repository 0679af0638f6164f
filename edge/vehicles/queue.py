"""The queue of vehicles at the lane: sightings in, vehicle events and live messages out.

Two kinds of sighting arrive: the radiation portal monitor's readings (from
the device manager's fan-out, on its reader thread) and the cameras' stored
reads (``on_read``, on the pushing request's thread). Neither thread may
wait for the disk, and the order of sightings matters to the matching, so
both only put the sighting on one bounded queue; one worker thread takes
them in order, decides the vehicle (:mod:`edge.vehicles.matching`) inside a
write on the store's single writer — so the decision and its event are one
atomic step, against the vehicles as they stand — and then tells the
tablets (``vehicle`` / ``vehicle_gone`` live messages).

What is not an event is small and rebuilt on the way: which vehicle each
monitor is scanning right now (a scan that started on a vehicle a camera
had read), and which vehicles the tablets were told are waiting (so one
that waited too long is announced gone).
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from common.clock import iso_utc, parse_iso, utc_now
from common.eventlog.store import EventStore
from edge.devices.manager import DeviceManager
from edge.reference import ReferenceCache
from edge.vehicles.fold import WAITING, public_vehicle, read_containers, read_plate, scan_state
from edge.vehicles.matching import Seen, vehicle_for_read, vehicle_for_scan_end, vehicle_for_scan_start
from edge.vehicles.projection import TABLE
from edge.vehicles.settings import VehicleSettings

log = logging.getLogger(__name__)

ACTOR = "lane"
RADIATION = "radiation"
#: sightings waiting for the worker; past this they are dropped (counted, logged), never block a device
MAX_PENDING = 1000
#: how often the worker looks for vehicles that waited too long
SWEEP_S = 5.0

Publish = Callable[[str, dict[str, Any]], None]
Clock = Callable[[], datetime]


class VehicleQueue:
    """Keeps the lane's vehicles: matches sightings, writes their events, announces them."""

    def __init__(self, store: EventStore, devices: DeviceManager, reference: ReferenceCache,
                 settings: VehicleSettings, publish: Publish, clock: Clock = utc_now) -> None:
        self._store = store
        self._devices = devices
        self._reference = reference
        self.settings = settings
        self._publish = publish
        self._clock = clock
        self._pending: queue.Queue[tuple[str, Any]] = queue.Queue(MAX_PENDING)
        self._scanning: dict[str, str] = {}    # device id → the vehicle in its portal
        self._announced: set[str] = set()      # vehicles the tablets were told are waiting
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    # ----- life ------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            self._announced = {v["id"] for v in self.waiting()}
        self._thread = threading.Thread(target=self._run, name="vehicle-queue", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._pending.put(("stop", None))
            thread.join(timeout)

    # ----- sightings in (other threads: never block) ----------------------
    def observe(self, message: str, data: dict[str, Any]) -> None:
        """A fan-out listener: a radiation monitor's ``occupied`` and ``occupancy`` readings."""
        if message != "reading" or data.get("kind") != RADIATION:
            return
        phase = (data.get("data") or {}).get("phase")
        if phase == "occupied":
            self._offer("occupied", data)
        elif phase == "occupancy":
            state = self._devices.get(data["device_id"])
            found = state.reading(data["seq"]) if state is not None else None
            evidence = {"raw": found[1].decode("latin-1") if found else "",
                        "calibration": dict(state.calibration) if state is not None else {}}
            self._offer("occupancy", {**data, **evidence})

    def on_read(self, event: dict[str, Any]) -> None:
        """The cameras' callback: a ``camera.read`` event just stored."""
        self._offer("read", event)

    def _offer(self, kind: str, item: Any) -> None:
        try:
            self._pending.put_nowait((kind, item))
        except queue.Full:
            self.dropped += 1
            log.error("vehicle queue full: %s dropped (%d so far); its vehicle is not matched", kind, self.dropped)

    # ----- the worker ------------------------------------------------------
    def _run(self) -> None:
        next_sweep = 0.0
        while True:
            try:
                kind, item = self._pending.get(timeout=SWEEP_S)
            except queue.Empty:
                kind, item = "sweep", None
            if kind == "stop":
                return
            try:
                if kind != "sweep":
                    self._announce(self._handle(kind, item))
                now = self._clock().timestamp()
                if kind == "sweep" or now >= next_sweep:
                    next_sweep = now + SWEEP_S
                    self._sweep()
            except Exception:  # one bad sighting must not stop the lane seeing vehicles
                log.exception("vehicle queue failed on %s", kind)

    def _handle(self, kind: str, item: dict[str, Any]) -> list[str]:
        """Match one sighting and write its events; the vehicles it changed."""
        if kind == "read":
            return self._store.run_write(lambda conn: self._read_in(conn, item))
        if kind == "occupied":
            return self._store.run_write(lambda conn: self._scan_start_in(conn, item))
        return self._store.run_write(lambda conn: self._scan_end_in(conn, item))

    def _read_in(self, conn: sqlite3.Connection, event: dict[str, Any]) -> list[str]:
        read = event["payload"]
        if read_plate(read) is None and not read_containers(read):
            return []  # a read with nothing usable (e.g. a photo only) makes no vehicle
        at = parse_iso(event["ts"])
        vehicle = vehicle_for_read(self._candidates(conn, at), read_plate(read), at, self.settings.match_window_s)
        if vehicle is None:
            vehicle = self._arrive_in(conn, "plate", event["ts"])
        self._store.append_in(conn, "vehicle.read", {"vehicle": vehicle, "camera_read": event["id"]}, ACTOR)
        return [vehicle]

    def _scan_start_in(self, conn: sqlite3.Connection, reading: dict[str, Any]) -> list[str]:
        at = parse_iso(reading["ts"])
        vehicle = vehicle_for_scan_start(self._candidates(conn, at), at, self.settings.match_window_s)
        if vehicle is None:
            vehicle = self._arrive_in(conn, "occupancy", reading["ts"])
        self._scanning[reading["device_id"]] = vehicle
        return [vehicle]

    def _scan_end_in(self, conn: sqlite3.Connection, reading: dict[str, Any]) -> list[str]:
        data, device = reading["data"], reading["device_id"]
        started = _when(data.get("started_at"), reading["ts"])
        scanning = self._scanning.pop(device, None)
        vehicle = vehicle_for_scan_end(self._candidates(conn, started), started, self.settings.match_window_s,
                                       scanning)
        if vehicle is None:
            vehicle = self._arrive_in(conn, "occupancy", iso_utc(started))
        calibration = reading["calibration"]
        self._store.append_in(conn, "rpm.occupancy", {
            "vehicle": vehicle, "device": device, "occupancy": data, "raw": reading["raw"],
            "reading_seq": reading["seq"], "reading_ts": reading["ts"], "calibration": calibration,
            "calibration_due": calibration.get("status") in ("due", "failed")}, ACTOR)
        return [vehicle]

    def _arrive_in(self, conn: sqlite3.Connection, trigger: str, at: str) -> str:
        vehicle = str(uuid.uuid4())
        self._store.append_in(conn, "vehicle.arrived", {"vehicle": vehicle, "trigger": trigger, "at": at},
                              ACTOR, id=vehicle)
        return vehicle

    def _candidates(self, conn: sqlite3.Connection, at: datetime) -> list[Seen]:
        """The vehicles a sighting at ``at`` may belong to (not dismissed, seen within the window)."""
        since = iso_utc(at - timedelta(seconds=self.settings.match_window_s + 1))
        rows = conn.execute(f"SELECT data FROM {TABLE} WHERE status != 'dismissed' AND last_seen >= ?",
                            (since,)).fetchall()
        scanning = self._in_portal()
        states = [json.loads(row[0]) for row in rows]
        return [Seen(id=s["id"], last_seen=parse_iso(s["last_seen"]), trigger=s["trigger"],
                     plate=(s["plate"] or {}).get("text"), scan=scan_state(s, s["id"] in scanning))
                for s in states]

    # ----- vehicles out ----------------------------------------------------
    def _announce(self, vehicle_ids: list[str]) -> None:
        for vehicle_id in dict.fromkeys(vehicle_ids):
            self.changed(vehicle_id)

    def changed(self, vehicle_id: str) -> None:
        """Tell the tablets what became of a vehicle: ``vehicle`` while it waits, else ``vehicle_gone``."""
        state = self.state(vehicle_id)
        if state is not None and self._is_waiting(state):
            with self._lock:
                self._announced.add(vehicle_id)
            self._publish("vehicle", self.public(state))
            return
        with self._lock:
            told = vehicle_id in self._announced
            self._announced.discard(vehicle_id)
        if told:
            self._publish("vehicle_gone", {"id": vehicle_id})

    def _sweep(self) -> None:
        """Announce gone the vehicles that waited too long."""
        with self._lock:
            told = set(self._announced)
        waiting = {v["id"] for v in self._waiting_states()}
        for vehicle_id in told - waiting:
            self.changed(vehicle_id)

    def _waiting_since(self) -> str:
        return iso_utc(self._clock() - timedelta(minutes=self.settings.waiting_min))

    def _is_waiting(self, state: dict[str, Any]) -> bool:
        return state["status"] == WAITING and state["last_seen"] >= self._waiting_since()

    def _waiting_states(self) -> list[dict[str, Any]]:
        rows = self._store.query(f"SELECT data FROM {TABLE} WHERE status = ? AND last_seen >= ? "
                                 f"ORDER BY arrived_at, rowid", (WAITING, self._waiting_since()))
        return [json.loads(row["data"]) for row in rows]

    def state(self, vehicle_id: str) -> dict[str, Any] | None:
        """The folded vehicle (any status), or None."""
        rows = self._store.query(f"SELECT data FROM {TABLE} WHERE id = ?", (vehicle_id.lower(),))
        return json.loads(rows[0]["data"]) if rows else None

    def public(self, state: dict[str, Any]) -> dict[str, Any]:
        """The VEHICLE the tablets see, with the declaration the reference data has for it now."""
        return public_vehicle(state, confirm_below=self.settings.confirm_below,
                              scanning=state["id"] in self._in_portal(),
                              declaration=self._declaration(state))

    def _in_portal(self) -> set[str]:
        """The vehicles a monitor is scanning now (a copy: the worker changes the map)."""
        return set(dict(self._scanning).values())

    def _declaration(self, state: dict[str, Any]) -> dict[str, Any] | None:
        loaded = self._reference.current()
        if loaded is None:
            return None
        plate = (state["plate"] or {}).get("text")
        containers = [c["code"] for c in state["containers"] if c["check_ok"]]
        return loaded.data.find_declaration(plate, containers, None) if plate or containers else None

    def waiting(self) -> list[dict[str, Any]]:
        """The VEHICLEs waiting, oldest first."""
        return [self.public(state) for state in self._waiting_states()]

    def initial_messages(self) -> list[tuple[str, dict[str, Any]]]:
        """What a tablet gets at connect: every vehicle waiting."""
        return [("vehicle", vehicle) for vehicle in self.waiting()]


def _when(text: Any, fallback: str) -> datetime:
    """A device's time claim if it parses, else the box's time of the reading."""
    try:
        return parse_iso(text) if isinstance(text, str) else parse_iso(fallback)
    except ValueError:
        return parse_iso(fallback)
