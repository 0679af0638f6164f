"""Everything a lane does with its hub, as one part the lane server starts and stops.

A lane with an ``[upstream]`` token is linked to its hub by six threads:
the upstream (where the hub is: the typed URL, or the hub found by mDNS),
the sync agent (the event log up), the status reporter (live status up),
and three pullers (reference data, the user roster and the port's lane keys
down). They all follow the upstream when the hub moves. The agent is woken
by the store's own commits, so an event goes up as soon as it is durable,
whoever wrote it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from common.eventlog.store import EventStore
from sync.identity import parse_key
from sync.lane.agent import SyncAgent
from sync.lane.etag_puller import EtagPuller
from sync.lane.lane_keys_puller import KEPT_FILE, LaneKeysPuller
from sync.lane.reference_puller import ReferencePuller
from sync.lane.roster_puller import MergeRoster, RosterPuller
from sync.lane.status_reporter import StatusReporter
from sync.lane.upstream import UpstreamCollector, make_upstream


class HubLink:
    """The lane's link to its hub (see the module doc). ``devices`` is the
    device snapshot the status reports; ``merge_roster`` takes the hub's users;
    ``hub_key`` is the hub's key pinned in the config (``ed25519:...``);
    ``label_keys`` the lane's label-signing keys its status registers at the hub."""

    def __init__(self, store: EventStore, lane_id: str, *, url: str | None, token: str, ca_file: Path | None,
                 host: str, pull_interval_s: float, devices: Callable[[], list[dict[str, Any]]],
                 merge_roster: MergeRoster, hub_key: str | None = None,
                 label_keys: Callable[[], list[dict[str, Any]]] = list) -> None:
        self.upstream = make_upstream(lane_id, url, token, host, ca_file,
                                      parse_key(hub_key) if hub_key is not None else None)
        link = (store, lane_id, self.upstream, token)
        self.sync = SyncAgent(*link)
        self.status_reporter = StatusReporter(*link, devices=devices, sync_status=self.sync.status,
                                              label_keys=label_keys)
        self.reference_puller = ReferencePuller(*link, interval=pull_interval_s)
        self.roster_puller = RosterPuller(merge_roster, *link[1:], interval=pull_interval_s)
        self.lane_keys_puller = LaneKeysPuller(store.path.parent / KEPT_FILE, *link[1:], interval=pull_interval_s)
        for follower in (self.sync.hub_moved, self.status_reporter.wake, self.reference_puller.wake,
                         self.roster_puller.wake, self.lane_keys_puller.wake):
            self.upstream.subscribe(follower)
        store.subscribe_commits(self.sync.wake)

    def _parts(self) -> list[Any]:
        """The upstream first, so it is looking for the hub when the others ask."""
        return [self.upstream, self.sync, self.status_reporter, self.reference_puller, self.roster_puller,
                self.lane_keys_puller]

    def start(self) -> None:
        for part in self._parts():
            part.start()

    def stop(self) -> None:
        for part in self._parts():
            part.stop()

    def observe(self, event: str, data: dict[str, Any]) -> None:
        """A live message the lane published: the hub hears of device changes and alarms soon."""
        self.status_reporter.observe(event, data)

    def collectors(self) -> list[Collector]:
        """Prometheus collectors of where the hub is and how far behind it is."""
        return [UpstreamCollector(self.upstream), SyncCollector(self.sync),
                RefusedCollector([self.reference_puller, self.roster_puller, self.lane_keys_puller])]


class SyncCollector(Collector):
    """The sync agent's backlog figures, read at scrape time."""

    def __init__(self, agent: SyncAgent) -> None:
        self.agent = agent

    def collect(self) -> Iterator[Any]:
        status = self.agent.status()
        yield GaugeMetricFamily("lanebox_sync_backlog_events", "Events not yet acknowledged by the hub",
                                value=status["backlog"])
        yield GaugeMetricFamily("lanebox_sync_oldest_unsent_age_seconds", "Age of the oldest unsent event",
                                value=status["oldest_unsent_age_s"] or 0)
        yield GaugeMetricFamily("lanebox_sync_acked_seq", "Highest contiguous seq the hub holds",
                                value=status["acked_seq"] or 0)


class RefusedCollector(Collector):
    """How many documents from the hub each puller refused (a bad or unsigned
    roster, reference data that fails its checks): nothing of them was applied."""

    def __init__(self, pullers: list[EtagPuller]) -> None:
        self.pullers = pullers

    def collect(self) -> Iterator[Any]:
        family = CounterMetricFamily("lanebox_hub_documents_refused",
                                     "Documents from the hub refused whole since start", labels=["document"])
        for puller in self.pullers:
            family.add_metric([puller.what], puller.refused)
        yield family
