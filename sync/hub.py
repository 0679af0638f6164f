"""The port hub, put together: store in, a Flask app with Socket.IO out.

:class:`Hub` is the app factory in object form, like :class:`edge.app.LaneServer`:
the long-lived parts (store, users, lane board, alarms, projector, the
``/board`` feed) are attributes, so tests and the CLI start and stop them
cleanly and nothing is global at import time. It stands in
``app.extensions["lanebox"]`` where the lane server would, so the lane's
``@endpoint`` routing (token, role, JSON body, OpenAPI) and its sign-in
blueprint serve the hub unchanged, with hub users behind them.
:func:`run_hub` is what ``lanebox hub`` runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Blueprint, Flask, Response, current_app
from flask_socketio import SocketIO

from edge.api import session
from edge.api.openapi import build_openapi
from edge.api.routing import PUBLIC, endpoint, lane_server, make_api_app
from edge.app import package_version
from edge.serve import serve_until_signal
from sync import hub_board_api, hub_lanes, hub_reference, hub_roster, hub_web, receiver
from sync.config import DEFAULT_OFFLINE_AFTER_S, HubConfig
from sync.discovery import ServiceWatcher, make_zeroconf
from sync.hub_alarms import AlarmBook
from sync.hub_lanes import LaneBoard
from sync.hub_live import BoardFeed
from sync.hub_projector import HubProjector
from sync.hub_redis import redis_problem, wait_for_redis
from sync.hub_store import HubStore, IngestResult
from sync.hub_users import HubUsers
from sync.periodic import Periodic
from sync.protocol import GAP, MAX_BODY_BYTES

log = logging.getLogger(__name__)

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
START_RETRY_S = 2.0  # a worker started before its database or Redis waits, saying why

meta = Blueprint("hub_meta", __name__)


class Hub:
    """One port hub over a started :class:`HubStore`; :meth:`start` its
    threads (projector, offline watch), :meth:`stop` them.

    ``heard`` lists services discovery hears (for unregistered lanes);
    ``message_queue`` (e.g. ``redis://``) lets several hub workers share boards.
    """

    def __init__(self, store: HubStore, offline_after_s: float = DEFAULT_OFFLINE_AFTER_S, *,
                 heard: Callable[[], list[Any]] = list, message_queue: str | None = None,
                 users: HubUsers | None = None) -> None:
        self.store = store
        self.hub_id = store.hub_id
        self.version = package_version()
        self.users = users or HubUsers(store)
        self.alarms = AlarmBook(store)
        self.board = LaneBoard(store, offline_after_s, heard=heard)
        self.app = self._make_app()
        self.message_queue = message_queue
        self.socketio = SocketIO(self.app, async_mode="threading", cors_allowed_origins=[],
                                 message_queue=message_queue)
        self.feed = BoardFeed(self.socketio, self.users.check_token)
        self.projector = HubProjector(store, on_alarms=self.feed.alarms)
        # going offline is silence, not a request: look for it every second
        self._offline_watch = Periodic("hub-offline-watch", self._push_flipped, interval=1.0)

    def _make_app(self) -> Flask:
        app = make_api_app("sync.hub", self, (receiver.bp, hub_lanes.bp, hub_reference.bp,
                                              hub_roster.bp, session.bp, hub_board_api.bp, meta,
                                              hub_web.bp), MAX_BODY_BYTES)
        app.extensions[receiver.EXTENSION] = self.store
        return app

    def start(self) -> "Hub":
        self.projector.start()
        self._offline_watch.start()
        return self

    def stop(self) -> None:
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

    def _push_flipped(self) -> None:
        for row in self.board.flipped():
            self.feed.lane(row)


@meta.get("/healthz")
def healthz() -> Any:
    """200 while the database (and Redis, when configured) answer, else 503
    naming what is down, so a load balancer takes this worker out."""
    hub = lane_server()
    problems = hub.problems()
    body = {"status": "unavailable" if any(problems.values()) else "ok", "hub": hub.hub_id,
            **{part: problem or "ok" for part, problem in problems.items()}}
    return body, 503 if any(problems.values()) else 200


@meta.get("/metrics")
def prometheus() -> Any:
    """A few gauges for monitoring (Prometheus text format, no token)."""
    hub = lane_server()
    problems = hub.problems()
    lines = [line for part, problem in problems.items() for line in (
        f"# HELP lanebox_hub_{part}_up 1 while the hub's {part} answers",
        f"# TYPE lanebox_hub_{part}_up gauge", f"lanebox_hub_{part}_up {int(problem is None)}")]
    if problems["database"] is not None:  # nothing more to count without it
        return Response("\n".join(lines) + "\n", mimetype=PROMETHEUS_TEXT)
    rows = hub.board.lanes()
    lines += [
        "# HELP lanebox_hub_lanes Registered lanes", "# TYPE lanebox_hub_lanes gauge",
        f"lanebox_hub_lanes {len(rows)}",
        "# HELP lanebox_hub_lanes_online Lanes heard within offline_after_s",
        "# TYPE lanebox_hub_lanes_online gauge",
        f"lanebox_hub_lanes_online {sum(1 for r in rows if r['online'])}",
        "# HELP lanebox_hub_open_alarms Alarms not yet acknowledged",
        "# TYPE lanebox_hub_open_alarms gauge",
        f"lanebox_hub_open_alarms {len(hub.alarms.list(open_only=True, limit=100000))}",
    ]
    return Response("\n".join(lines) + "\n", mimetype=PROMETHEUS_TEXT)


@endpoint(meta, "/api/v1/openapi.json", "GET", roles=PUBLIC, summary="This document")
def openapi_document() -> Any:
    hub = lane_server()
    return build_openapi(current_app, f"lanebox hub {hub.hub_id}", hub.version)


def run_hub(config: HubConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the hub until a signal; ``on_ready`` gets the base URL once listening.

    Raises ``OSError`` if the address cannot be bound and
    :class:`~edge.writer.StoreError` if the store cannot be opened.
    """
    store = HubStore(config.store_location, config.hub_id).start(retry_s=START_RETRY_S)
    if config.redis_url:
        wait_for_redis(config.redis_url, retry_s=START_RETRY_S)
    zeroconf = make_zeroconf(None if config.host in ("0.0.0.0", "") else [config.host])
    watcher = ServiceWatcher(zeroconf)
    hub = Hub(store, config.offline_after_s, heard=watcher.services,
              message_queue=config.redis_url).start()
    try:
        serve_until_signal(hub.app, config.host, config.port, f"hub {config.hub_id}", role="hub",
                           tls=config.tls, on_ready=on_ready)
    finally:
        hub.stop()
        watcher.close()
        zeroconf.close()
        store.close()
