"""The lane server, put together: config in, a Flask app with Socket.IO out.

:class:`LaneServer` is the app factory in object form — Flask's tutorial
pattern with the long-lived parts (store, users, device manager, live hub)
kept as attributes, so tests and the CLI can start and stop them cleanly
and nothing is global at import time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Callable

from flask import Flask, Response, request
from flask_socketio import SocketIO

from edge.api import (attachments, calibration, devices, duty, events, inspections, lane, openapi, photos, reference,
                      seizures, session, sync_status, technician, users)
from edge.api.routing import make_api_app
from edge.badge import BadgeRelay
from edge.calibration_desk import CalibrationDesk
from edge.calibration_status import calibration_status
from edge.config import LaneConfig
from edge.console import RawConsole
from edge.device_manager import DeviceManager
from edge.device_setup import apply_stored_changes
from edge.health import bp as health_bp
from edge.health import make_registry
from edge.live import LiveHub
from edge.photos import PhotoStore
from edge.reference import ReferenceCache
from edge.store import EventStore
from edge.users import UserDirectory
from edge.web import bp as web_bp
from sync.agent import SyncAgent
from sync.periodic import Periodic
from sync.reference_puller import ReferencePuller
from sync.roster_puller import RosterPuller
from sync.status_reporter import StatusReporter
from sync.upstream import Upstream, UpstreamCollector, make_upstream

log = logging.getLogger(__name__)

#: JSON bodies are small; photo uploads raise the limit for their own request only
MAX_BODY_BYTES = 1 << 20
BLUEPRINTS = (session.bp, lane.bp, devices.bp, events.bp, attachments.bp, users.bp, reference.bp, inspections.bp,
              photos.bp, seizures.bp, duty.bp, technician.bp, calibration.bp, sync_status.bp, openapi.bp, health_bp,
              web_bp)


def package_version() -> str:
    try:
        return version("lanebox")
    except PackageNotFoundError:
        return "0+unknown"


Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    return datetime.now(UTC)


class LaneServer:
    """One lane's edge server: store, users, devices, HTTP API and /live.

    ``clock`` is what calibration standing is judged against (when a daily
    check or an interval runs out); tests pass their own to let a day go by.
    """

    def __init__(self, config: LaneConfig, clock: Clock = utc_clock) -> None:
        self.config = config
        self.clock = clock
        self.version = package_version()
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = EventStore(config.data_dir / "lane.sqlite3", lane=config.lane_id)
        self.users = UserDirectory(self.store, token_ttl_s=config.session_ttl_s)
        self.reference = ReferenceCache(self.store)
        self.photos = PhotoStore(config.data_dir / "photos")
        self.app = self._make_app()
        # threading: plain threads suit blocking serial reads; see RECIPES.md
        self.socketio = SocketIO(self.app, async_mode="threading", cors_allowed_origins=[])
        self.console = RawConsole(self.socketio, self.users.check_token, tap=lambda d, on: self.devices.set_tap(d, on),
                                  known=lambda d: self.devices.get(d) is not None)
        self.devices = DeviceManager(config.devices, publish=self._publish, traffic=self.console.traffic)
        self.calibrations = CalibrationDesk(self.store, on_recorded=self.refresh_calibrations, clock=clock)
        self.live = LiveHub(self.socketio, self.users.check_token, self.devices.initial_messages)
        self.badges = BadgeRelay(self.socketio, lambda: {u["username"] for u in self.users.list()
                                                         if not u["disabled"]})
        upstream = config.upstream
        self.upstream: Upstream | None = None  # where the hub is: [upstream] url, or found by mDNS
        self.sync: SyncAgent | None = None
        self.status_reporter: StatusReporter | None = None  # live status up to the hub
        self.reference_puller: ReferencePuller | None = None  # reference data down from it
        self.roster_puller: RosterPuller | None = None  # and the hub's users
        if upstream and upstream.token:
            self.upstream = make_upstream(config.lane_id, upstream.url, upstream.token, config.host,
                                          upstream.ca_file)
            link = (self.store, config.lane_id, self.upstream, upstream.token)
            self.sync = SyncAgent(*link)
            self.status_reporter = StatusReporter(*link, devices=self.devices.snapshot,
                                                  sync_status=self.sync.status)
            self.reference_puller = ReferencePuller(*link, interval=upstream.pull_interval_s)
            self.roster_puller = RosterPuller(self.users, *link[1:], interval=upstream.pull_interval_s)
            for follower in (self.sync.hub_moved, self.status_reporter.wake, self.reference_puller.wake,
                             self.roster_puller.wake):
                self.upstream.subscribe(follower)
        self.metrics_registry = make_registry(self)
        if self.upstream is not None:
            self.metrics_registry.register(UpstreamCollector(self.upstream))
        # a calibration falls due with the passing of time, not with an event
        self._calibration_clock = Periodic("calibration-clock", self.refresh_calibrations, interval=60.0)

    def _make_app(self) -> Flask:
        app = make_api_app("edge", self, BLUEPRINTS, MAX_BODY_BYTES)
        app.after_request(self._wake_sync)
        return app

    def _wake_sync(self, response: Response) -> Response:
        """A write just committed: let the sync agent push it now, not at its next poll."""
        if self.sync is not None and request.method != "GET" and response.status_code < 300:
            self.sync.wake()
        return response

    def _publish(self, event: str, data: dict[str, Any]) -> None:
        self.live.publish(event, data)
        if event == "reading":
            self.badges.offer(data)
            self.calibrations.offer(data)
        if self.status_reporter is not None:
            self.status_reporter.observe(event, data)

    def start(self) -> None:
        self.store.start()
        self.reference.current()  # rebuilt from the last reference.loaded event (logged if unusable)
        apply_stored_changes(self.store, self.devices)  # devices added/changed/removed at run time
        self._restore_device_locks()
        self.refresh_calibrations()
        self.devices.start()
        self._calibration_clock.start()
        for upstream_thread in self._upstream_threads():
            upstream_thread.start()

    def stop(self) -> None:
        self._calibration_clock.stop()
        self.devices.stop()
        for upstream_thread in self._upstream_threads():
            upstream_thread.stop()
        self.store.close()

    def _upstream_threads(self) -> list[Any]:
        """The threads that talk to the hub (none without an [upstream] token);
        the upstream first, so it is looking for the hub when the others ask."""
        return [t for t in (self.upstream, self.sync, self.status_reporter, self.reference_puller,
                            self.roster_puller) if t is not None]

    def refresh_calibrations(self) -> None:
        """Work out each device's calibration standing from its records and
        interval; a device that becomes overdue shows ``calibration_due``."""
        now = self.clock()
        for device_id, state in self.devices.devices.items():
            records = self.store.query("SELECT id, at, kind, passed, due_at FROM calibrations "
                                       "WHERE device_id = ? ORDER BY at, rowid", (device_id,))
            self.devices.set_calibration(
                device_id, calibration_status(records, state.config.calibration_interval_days, now))

    def _restore_device_locks(self) -> None:
        """A lock survives a restart: replay the lock/unlock events."""
        locks: dict[str, dict[str, Any] | None] = {}
        for event in self.store.replay(["device.locked", "device.unlocked"]):
            payload = event["payload"]
            locks[payload["device_id"]] = (
                {"by": event["actor"], "reason": payload["reason"], "at": event["ts"]}
                if event["type"] == "device.locked" else None)
        for device_id, lock in locks.items():
            if self.devices.get(device_id) is not None:
                self.devices.set_locked(device_id, lock)
