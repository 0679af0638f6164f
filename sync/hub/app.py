"""The port hub, put together: store in, a Flask app with Socket.IO out.

:class:`Hub` is the app factory in object form, like the lane's
``LaneServer``: the long-lived parts (store, users, lane board, alarms,
projector, the ``/board`` feed) are attributes, so tests and the CLI start
and stop them cleanly and nothing is global at import time. It stands in
``app.extensions["lanebox"]`` as a lane server does, so the shared routing
kit (token, role, JSON body, OpenAPI), sign-in blueprint and monitoring
routes of :mod:`common.web` serve the hub unchanged, with hub users behind
them. :func:`hub_service` is what ``lanebox hub`` serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from common.discovery import ServiceWatcher, make_zeroconf
from common.periodic import Periodic
from common.version import package_version
from common.web import monitoring, openapi, session_api
from common.web.client import Network, TrustedProxies
from common.web.routing import make_api_app
from common.web.server import Service
from common.web.sockets import SocketSessions, make_socketio
from sync.hub import board_api, consultations_api, countersign, lane_keys, lanes, receiver, reference, roster, web
from sync.hub.alarms import AlarmBook, AlarmSettings
from sync.hub.config import DEFAULT_OFFLINE_AFTER_S, HubConfig
from sync.hub.consultation_log import ConsultationLog
from sync.hub.countersign import Countersigner, CountersignSettings
from sync.hub.lanes import LaneBoard
from sync.hub.live import BoardFeed
from sync.hub.message_queue import redis_problem, wait_for_redis
from sync.hub.projector import HubProjector
from sync.hub.retention import HubRetention
from sync.hub.store import HubStore, IngestResult
from sync.hub.users import HubUsers
from sync.protocol import GAP

log = logging.getLogger(__name__)

START_RETRY_S = 2.0  # a worker started before its database or Redis waits, saying why
MAX_BODY_BYTES = 256 << 10
"""The body limit of every hub route but the lanes' event batches (which declare
sync.protocol.MAX_BODY_BYTES with their lane token): a status report or a
board's request is a few KiB; sign-in, being public, takes at most 16 KiB."""
BLUEPRINTS = (receiver.bp, lanes.bp, lane_keys.bp, reference.bp, roster.bp, session_api.bp, board_api.bp, openapi.bp,
              monitoring.bp, consultations_api.bp, countersign.bp, web.bp)


class Hub:
    """One port hub over a started :class:`HubStore`; :meth:`start` its
    threads (projector, offline watch), :meth:`stop` them.

    ``heard`` lists services discovery hears (for unregistered lanes);
    ``message_queue`` (e.g. ``redis://``) lets several hub workers share boards;
    ``trusted`` are the reverse proxies whose ``X-Forwarded-For`` names the client;
    ``alarm_settings`` the severities and thresholds of ``[alarms]`` in the hub's config.
    """

    def __init__(self, store: HubStore, offline_after_s: float = DEFAULT_OFFLINE_AFTER_S, *,
                 heard: Callable[[], list[Any]] = list, message_queue: str | None = None,
                 users: HubUsers | None = None, trusted: tuple[Network, ...] = (),
                 alarm_settings: AlarmSettings | None = None,
                 countersign_settings: CountersignSettings = CountersignSettings()) -> None:
        self.store = store
        self.hub_id = store.hub_id
        self.version = package_version()
        self.api_title = f"lanebox hub {self.hub_id}"
        self.users = users or HubUsers(store)
        self.alarms = AlarmBook(store, settings=alarm_settings)
        self.consultations = ConsultationLog(store)
        self.countersigner = Countersigner(store, countersign_settings)
        self.board = LaneBoard(store, offline_after_s, heard=heard)
        self.app = self._make_app()
        self.message_queue = message_queue
        self.socketio = make_socketio(self.app, message_queue=message_queue)
        self.app.wsgi_app = TrustedProxies(self.app.wsgi_app, trusted)  # type: ignore[method-assign]
        self.sockets = SocketSessions(self.socketio, self.users.check_token)
        self.sockets.watch(self.app)
        self.feed = BoardFeed(self.socketio, self.sockets)
        self.projector = HubProjector(store, on_alarms=self.feed.alarms)
        self.metrics_registry = CollectorRegistry(auto_describe=False)
        self.metrics_registry.register(HubCollector(self))
        # going offline is silence, not a request: look for it every second
        self._offline_watch = Periodic("hub-offline-watch", self._push_flipped, interval=1.0)

    def _make_app(self) -> Any:
        app = make_api_app("sync.hub", self, BLUEPRINTS, MAX_BODY_BYTES)
        app.extensions[receiver.EXTENSION] = self.store
        return app

    def start(self) -> "Hub":
        self.projector.start()
        self._offline_watch.start()
        self.sockets.start()
        return self

    def stop(self) -> None:
        self.sockets.stop()
        self._offline_watch.stop()
        self.projector.stop()

    def ingested(self, lane: str, result: IngestResult) -> None:
        """The receiver stored a batch: project it, and show any alarm it raised."""
        if result.stored:
            self.projector.wake()
        problem = result.problem
        if problem is not None and problem.code != GAP:
            alarm = self.alarms.latest(lane, problem.code, problem.seq)
            if alarm is not None:
                self.feed.alarms([alarm])

    def problems(self) -> dict[str, str | None]:
        """Each outside part the hub needs and what is wrong with it (None: fine)."""
        parts = {"database": self.store.health()}
        if self.message_queue:
            parts["redis"] = redis_problem(self.message_queue)
        return parts

    def health(self) -> tuple[dict[str, Any], int]:
        """200 while the database (and Redis, when configured) answer, else 503
        naming what is down, so a load balancer takes this worker out."""
        problems = self.problems()
        down = any(problems.values())
        body = {"status": "unavailable" if down else "ok", "hub": self.hub_id,
                **{part: problem or "ok" for part, problem in problems.items()}}
        return body, 503 if down else 200

    def _push_flipped(self) -> None:
        for row in self.board.flipped():
            self.feed.lane(row)


class HubCollector(Collector):
    """The hub's Prometheus figures, read at scrape time: whether its database
    (and Redis) answer, and, while the database does, lanes and open alarms."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def collect(self) -> Iterator[Any]:
        problems = self.hub.problems()
        for part, problem in problems.items():
            yield GaugeMetricFamily(f"lanebox_hub_{part}_up", f"1 while the hub's {part} answers",
                                    value=int(problem is None))
        if problems["database"] is not None:  # nothing more to count without it
            return
        rows = self.hub.board.lanes()
        yield GaugeMetricFamily("lanebox_hub_lanes", "Registered lanes", value=len(rows))
        yield GaugeMetricFamily("lanebox_hub_lanes_online", "Lanes heard within offline_after_s",
                                value=sum(1 for r in rows if r["online"]))
        yield GaugeMetricFamily("lanebox_hub_open_alarms", "Alarms not yet acknowledged",
                                value=self.hub.alarms.count_open())


def hub_service(config: HubConfig) -> Service:
    """The hub as ``lanebox hub`` runs it, built in the production server's
    worker after its fork (common.web.server): the store opened (waiting for
    PostgreSQL, then Redis, as long as they are away), the discovery watcher
    and the hub's threads started."""
    store = HubStore(config.store_location, config.hub_id).start(retry_s=START_RETRY_S)
    stops: list[Callable[[], None]] = [store.close]

    def stop() -> None:
        for part in reversed(stops):
            part()

    try:
        if config.redis_url:
            wait_for_redis(config.redis_url, retry_s=START_RETRY_S)
        zeroconf = make_zeroconf(None if config.host in ("0.0.0.0", "") else [config.host])
        stops.append(zeroconf.close)
        watcher = ServiceWatcher(zeroconf)
        stops.append(watcher.close)
        hub = Hub(store, config.offline_after_s, heard=watcher.services, message_queue=config.redis_url,
                  trusted=config.trusted_proxies, alarm_settings=config.alarms,
                  countersign_settings=config.countersign).start()
        stops.append(hub.stop)
        stops.append(HubRetention(store, config.retention).start().stop)  # [retention] on the hub's copy of keys
    except BaseException:  # a failed or interrupted start leaves nothing running
        stop()
        raise
    return Service(hub.app, hub.socketio, stop)
