"""The lane server, put together: config in, a Flask app with Socket.IO out.

:class:`LaneServer` is the app factory in object form — Flask's tutorial
pattern with the long-lived parts (store, users, device manager, live hub,
the link to the hub) kept as attributes, so tests and the CLI can start and
stop them cleanly and nothing is global at import time. It only composes:
each part does its own work, and the device manager's live messages reach
the parts that want them through one :class:`~edge.realtime.fanout.Fanout`.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from prometheus_client import CollectorRegistry

from common.clock import Clock, utc_now
from common.version import package_version
from common.web import monitoring, openapi, session_api
from common.web.client import TrustedProxies
from common.web.routing import make_api_app
from common.web.server import Service
from common.web.sockets import SocketSessions, make_socketio
from edge.api import (
    attachments,
    badge_session,
    bench_weighings,
    bundles,
    calibration,
    cameras,
    consultations,
    devices,
    duty,
    erasure,
    events,
    inspections,
    labels,
    lane,
    photos,
    radiation,
    reference,
    seizure_export,
    seizures,
    sync_status,
    technician,
    users,
    vehicles,
    weighing,
)
from edge.calibration.desk import CalibrationDesk
from edge.calibration.watch import CalibrationWatch
from edge.cameras.service import CameraService
from edge.config import LaneConfig
from edge.consultations import ConsultationLog
from edge.devices.manager import DeviceManager
from edge.devices.setup import apply_stored_changes, apply_stored_locks
from edge.inspections.photos import PhotoStore
from edge.labels.keys import LaneSigner, open_signer
from edge.metrics import LaneCollector
from edge.realtime.badge import BadgeRelay
from edge.realtime.console import RawConsole
from edge.realtime.fanout import Fanout, readings_only
from edge.realtime.live import LiveHub
from edge.reference import ReferenceCache
from edge.retention import RetentionJob
from edge.store import lane_photos_path, lane_store_path, open_lane_store
from edge.users import UserDirectory
from edge.vehicles.queue import VehicleQueue
from edge.web import bp as web_bp
from sync.lane.link import HubLink

log = logging.getLogger(__name__)

#: JSON bodies are small; photo uploads raise the limit for their own request only
MAX_BODY_BYTES = 1 << 20
BLUEPRINTS = (session_api.bp, badge_session.bp, lane.bp, devices.bp, events.bp, attachments.bp, users.bp,
              reference.bp, inspections.bp, photos.bp, seizures.bp, seizure_export.bp, bench_weighings.bp, duty.bp,
              technician.bp, calibration.bp, sync_status.bp, weighing.bp, cameras.bp, vehicles.bp, radiation.bp,
              labels.bp, bundles.bp, openapi.bp, monitoring.bp, consultations.bp, erasure.bp, web_bp)


class LaneServer:
    """One lane's edge server: store, users, devices, HTTP API and /live.

    ``clock`` is what calibration standing is judged against (when a daily
    check or an interval runs out), ``session_clock`` (epoch seconds) what
    sessions expire by; tests pass their own to let a day go by.
    """

    def __init__(self, config: LaneConfig, clock: Clock = utc_now,
                 session_clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.version = package_version()
        self.api_title = f"lanebox lane {config.lane_id}"
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = open_lane_store(lane_store_path(config.data_dir), config.lane_id)
        self.users = UserDirectory(self.store, token_ttl_s=config.session_ttl_s, clock=session_clock)
        self.reference = ReferenceCache(self.store)
        self.photos = PhotoStore(lane_photos_path(config.data_dir))
        self.consultations = ConsultationLog(self.store)
        self.app = make_api_app("edge", self, BLUEPRINTS, MAX_BODY_BYTES)
        self.socketio = make_socketio(self.app)
        self.app.wsgi_app = TrustedProxies(self.app.wsgi_app, config.trusted_proxies)  # type: ignore[method-assign]
        self.sockets = SocketSessions(self.socketio, self.users.check_token)
        self.sockets.watch(self.app)
        self.messages = Fanout()
        self.console = RawConsole(self.socketio, self.sockets, tap=lambda d, on: self.devices.set_tap(d, on),
                                  known=lambda d: self.devices.get(d) is not None)
        self.devices = DeviceManager(config.devices, publish=self.messages.publish, traffic=self.console.traffic)
        self.calibration_watch = CalibrationWatch(self.store, self.devices, clock)
        self.calibrations = CalibrationDesk(self.store, on_recorded=self.calibration_watch.refresh, clock=clock)
        self.vehicles = VehicleQueue(self.store, self.devices, self.reference, config.vehicles, self.messages.publish)
        self.live = LiveHub(self.socketio, self.sockets,
                            lambda: [*self.devices.initial_messages(), *self.vehicles.initial_messages()])
        self.badges = BadgeRelay(self.socketio, self.users.enabled_usernames)
        self.messages.subscribe(self.live.publish, readings_only(self.badges.offer),
                                readings_only(self.calibrations.offer), self.vehicles.observe)
        self.cameras = CameraService(config.cameras, self.store, self.photos, publish=self.messages.publish,
                                     mqtt=config.mqtt, on_read=self.vehicles.on_read)
        self.retention = RetentionJob(self.store, config.retention, clock)
        self.label_signer: LaneSigner  # made at start, once the store is open (edge.labels.keys)
        self.hub_link = self._link_to_hub()
        self.metrics_registry = CollectorRegistry(auto_describe=False)
        for collector in (LaneCollector(self), *(self.hub_link.collectors() if self.hub_link else ())):
            self.metrics_registry.register(collector)

    def _link_to_hub(self) -> HubLink | None:
        """The link to the port hub, for a lane given an ``[upstream]`` token (else None)."""
        upstream = self.config.upstream
        if upstream is None or not upstream.token:
            return None
        link = HubLink(self.store, self.config.lane_id, url=upstream.url, token=upstream.token,
                       ca_file=upstream.ca_file, host=self.config.host, pull_interval_s=upstream.pull_interval_s,
                       devices=self.devices.snapshot, merge_roster=self.users.merge_roster,
                       hub_key=upstream.hub_key, label_keys=lambda: [k.as_dict() for k in self.label_signer.keys])
        self.messages.subscribe(link.observe)
        return link

    def health(self) -> tuple[dict[str, Any], int]:
        """What ``/healthz`` answers."""
        return {"status": "ok", "lane": self.config.lane_id}, 200

    def start(self) -> None:
        self.store.start()
        self.label_signer = open_signer(self.config.data_dir, self.store, self.config.lane_id)
        self.reference.current()  # rebuilt from the last reference.loaded event (logged if unusable)
        apply_stored_changes(self.store, self.devices, self.config.device_ports)  # changed at run time
        apply_stored_locks(self.store, self.devices)
        self.users.start()
        self.calibration_watch.start()
        self.vehicles.start()
        self.sockets.start()
        self.devices.start()
        self.cameras.start()
        self.retention.start()
        if self.hub_link is not None:
            self.hub_link.start()

    def stop(self) -> None:
        self.sockets.stop()
        self.calibration_watch.stop()
        self.devices.stop()
        self.cameras.stop()
        self.vehicles.stop()
        self.retention.stop()
        if self.hub_link is not None:
            self.hub_link.stop()
        self.users.stop()
        self.store.close()


def lane_service(config: LaneConfig) -> Service:
    """The lane as ``lanebox serve`` runs it: built and started in the
    production server's worker, after its fork (common.web.server)."""
    server = LaneServer(config)
    server.start()
    return Service(server.app, server.socketio, server.stop)
