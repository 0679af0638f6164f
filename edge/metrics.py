"""The lane's Prometheus figures, read at scrape time from where they already
live (driver counters, the live hub, the store), so nothing is counted twice."""

from __future__ import annotations

from typing import Any, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from drivers.base import CONNECTED


class LaneCollector(Collector):
    """Devices, live clients and the evidence store of one lane server."""

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
            connected.add_metric([state.config.id], 1 if state.driver.state == CONNECTED else 0)
        yield from (readings, drops, reconnects, connected)
        camera_drops = CounterMetricFamily("lanebox_camera_drops", "Camera pushes and MQTT messages not stored, "
                                                                   "per reason (docs/cameras.md)", labels=["reason"])
        for reason, count in sorted(server.cameras.drops.items()):
            camera_drops.add_metric([reason], count)
        yield camera_drops
        yield GaugeMetricFamily("lanebox_live_clients", "Connected Socket.IO clients", value=server.live.connected)
        yield CounterMetricFamily("lanebox_live_dropped_messages",
                                  "Messages not sent to lagging clients", value=server.live.dropped_total)
        yield CounterMetricFamily("lanebox_events_written", "Events in the evidence log",
                                  value=server.store.last_seq())
        yield GaugeMetricFamily("lanebox_store_size_bytes", "Evidence store size on disk",
                                value=server.store.size_bytes())
