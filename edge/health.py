"""``/healthz`` and ``/metrics``: what monitoring reads without a token."""

from __future__ import annotations

from typing import Any, Iterator

from flask import Blueprint, Response, current_app
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    server = current_app.extensions["lanebox"]
    return {"status": "ok", "lane": server.config.lane_id}


@bp.get("/metrics")
def metrics() -> Any:
    registry = current_app.extensions["lanebox"].metrics_registry
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4; charset=utf-8")


class LaneCollector(Collector):
    """Reads the figures at scrape time from where they already live
    (driver counters, the live hub, the store), so nothing is counted twice."""

    def __init__(self, server: Any) -> None:
        self.server = server

    def collect(self) -> Iterator[Any]:
        server = self.server
        readings = CounterMetricFamily("lanebox_device_readings", "Readings decoded per device", labels=["device"])
        drops = CounterMetricFamily("lanebox_device_drops", "Frames dropped per device", labels=["device"])
        reconnects = CounterMetricFamily("lanebox_device_reconnects", "Reconnections per device", labels=["device"])
        connected = GaugeMetricFamily("lanebox_device_connected", "1 if the device link is up", labels=["device"])
        for state in server.devices.devices.values():
            counters = state.driver.counters
            readings.add_metric([state.config.id], counters.frames)
            drops.add_metric([state.config.id], counters.drops)
            reconnects.add_metric([state.config.id], counters.reconnects)
            connected.add_metric([state.config.id], 1 if state.driver.state == "connected" else 0)
        yield from (readings, drops, reconnects, connected)
        yield GaugeMetricFamily("lanebox_live_clients", "Connected Socket.IO clients", value=server.live.connected)
        yield CounterMetricFamily("lanebox_live_dropped_messages",
                                  "Messages not sent to lagging clients", value=server.live.dropped_total)
        yield CounterMetricFamily("lanebox_events_written", "Events in the evidence log",
                                  value=server.store.last_seq())
        yield GaugeMetricFamily("lanebox_store_size_bytes", "Evidence store size on disk",
                                value=server.store.size_bytes())
        if server.sync is not None:
            status = server.sync.status()
            yield GaugeMetricFamily("lanebox_sync_backlog_events", "Events not yet acknowledged by the hub",
                                    value=status["backlog"])
            yield GaugeMetricFamily("lanebox_sync_oldest_unsent_age_seconds", "Age of the oldest unsent event",
                                    value=status["oldest_unsent_age_s"] or 0)
            yield GaugeMetricFamily("lanebox_sync_acked_seq", "Highest contiguous seq the hub holds",
                                    value=status["acked_seq"] or 0)


def make_registry(server: Any) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LaneCollector(server))
    return registry
