"""Where this lane's hub is: the URL typed in ``[upstream] url``, or the hub
heard on mDNS.

Every lane→hub thread (sync agent, status reporter, reference and roster
pullers) asks its :class:`Upstream` for the hub's URL before each request,
so when discovery hears the hub come up later, or come back at another
address, all of them follow without a restart. A typed URL always wins:
mDNS does not cross VLANs and a port may want to pin its hub.

Every upstream holds back the lane's token until the server at its URL has
proved it is our hub (:mod:`sync.lane.hub_proof`): it signs a fresh nonce
with the hub key pinned in ``[upstream] hub_key``. Discovery picks, among the
services announcing ``role=hub``, one that proves it, then accepts the
lane's token (``GET .../cursor`` answers 200): anyone can announce a hub on
the network, and a second real hub (another port's, a test bench's) holds
another key or will say so with a 401. With ``[upstream] ca_file`` set,
only hubs announcing ``scheme=https`` are asked. A typed URL is proved on
first use (again after a failure, at most every few seconds); a typed
``https://`` URL without a pinned key is trusted on its certificate.

The upstream also carries how to talk to the hub (the token and the TLS
trust, requests' ``verify``), so every thread opens its sessions the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from common.discovery import ServiceWatcher, zeroconf_for_host
from common.periodic import Periodic
from sync.lane.hub_proof import HubProver
from sync.protocol import cursor_path

log = logging.getLogger(__name__)

CONFIG, MDNS = "config", "mdns"
"""Where an upstream URL came from (shown at ``GET /api/v1/sync`` and in /metrics)."""

DEFAULT_RECHECK_S = 10.0
"""How often discovery looks again while it has no hub that takes the lane's token."""

PROOF_RETRY_S = 2.0
"""How long a typed URL whose server failed to prove itself is left alone before it is asked again."""


class Upstream:
    """A hub at a fixed URL (``[upstream] url``); the base of :class:`DiscoveredUpstream`.

    ``verify`` is requests' ``verify``: True (the system's trust store) or
    the path of the CA file that signed the hub's certificate. ``prover``
    makes the server at the URL prove it is our hub before :meth:`url`
    gives the URL to anyone who would send the token there; without one
    (tests and benches handing a plain URL over) the URL is taken as it is.
    """

    source = CONFIG

    def __init__(self, url: str | None, verify: bool | str = True, prover: HubProver | None = None) -> None:
        self._url = url.rstrip("/") if url else None
        self.verify = verify
        self._prover = prover
        self._proven: str | None = None if prover else self._url  # the URL whose server proved itself
        self._key: Ed25519PublicKey | None = None
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._proof_lock = threading.Lock()
        self._next_proof = 0.0
        self._refused: set[str] = set()  # URLs already logged as not ours

    def url(self) -> str | None:
        """The hub's base URL now, or None while none has been found, or while
        the server there has not proved it holds the hub's key."""
        with self._lock:
            url, proven = self._url, self._proven
        if url is None or url == proven:
            return url
        return url if self._prove_typed(url) else None

    def hub_key(self) -> Ed25519PublicKey | None:
        """The key the hub at :meth:`url` proved it holds (its rosters are
        checked against it), or None when none has proved it."""
        with self._lock:
            return self._key if self._url is not None and self._url == self._proven else None

    def describe(self) -> dict[str, Any]:
        """``{"source": "config"|"mdns", "url": str|None}`` for status pages and metrics."""
        with self._lock:
            return {"source": self.source, "url": self._url}

    def session(self, token: str) -> requests.Session:
        """A requests session that authenticates as the lane and trusts the hub's CA
        (one per thread: sessions are not thread-safe)."""
        return HubSession(token, self.verify)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (on the discovery thread) whenever the URL changes."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Nothing to find: the URL was typed."""

    def stop(self) -> None:
        """Nothing to stop."""

    def _proof(self, url: str, bound: bool) -> Ed25519PublicKey | None:
        """The hub key the server at ``url`` proves it holds (``bound``: and that
        it was reached at ``url``'s address), or None (logged once per URL)."""
        assert self._prover is not None
        with HubSession(None, self.verify) as session:
            key, why = self._prover.prove(url, session, bound=bound)
        if key is None and url not in self._refused:
            log.warning("lane %s: not sending this lane's token to %s: %s",
                        self._prover.lane_id, url, why)
            self._refused.add(url)
        return key

    def _prove_typed(self, url: str) -> bool:
        """Ask the typed URL's server for its proof, one thread at a time and
        not again within :data:`PROOF_RETRY_S` of a failure."""
        with self._proof_lock:
            with self._lock:
                if self._proven == url:
                    return True
            if time.monotonic() < self._next_proof:
                return False
            key = self._proof(url, bound=False)
            if key is None:
                self._next_proof = time.monotonic() + PROOF_RETRY_S
                return False
            with self._lock:
                self._proven, self._key = url, key
            log.info("the hub at %s proved its identity", url)
            return True

    def _move_to(self, url: str, key: Ed25519PublicKey | None) -> None:
        with self._lock:
            if url == self._url:
                return
            self._url, self._proven, self._key = url, url, key
        for listener in self._listeners:
            listener()


class HubSession(requests.Session):
    """A session that keeps the trust it was given (and the lane's token, when given one).

    requests lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` from the
    environment replace a session's ``verify`` (psf/requests#3829), so a
    box with those set would check the hub against the system store and
    refuse the port CA's certificate; here the CA file always wins.
    """

    def __init__(self, token: str | None, verify: bool | str) -> None:
        super().__init__()
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"
        self.verify = verify

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self.verify is not True and verify is None:
            settings["verify"] = self.verify
        return settings


def as_upstream(hub: str | Upstream) -> Upstream:
    """Accept a plain URL where an :class:`Upstream` is expected (tests, benches)."""
    return hub if isinstance(hub, Upstream) else Upstream(hub)


class DiscoveredUpstream(Upstream):
    """The hub found by mDNS, followed as it comes, goes and moves.

    Zeroconf is made and closed on the discovery thread: its blocking API
    refuses to run in a thread that has an asyncio loop (a test's, say).
    ``host`` is the address the lane serves on: discovery listens there
    (every interface for a wildcard bind). ``hub_key`` is the key pinned at
    registration: a hub heard on the network is only a candidate until it
    proves it holds that key.
    """

    source = MDNS

    def __init__(self, lane_id: str, token: str, host: str, hub_key: Ed25519PublicKey,
                 verify: bool | str = True, *, recheck_s: float = DEFAULT_RECHECK_S,
                 timeout: tuple[float, float] = (3.0, 5.0)) -> None:
        super().__init__(None, verify, HubProver(lane_id, hub_key, timeout))
        self.lane_id = lane_id
        self._token = token
        self._host = host
        self._timeout = timeout
        self._zeroconf: Any = None
        self._watcher: ServiceWatcher | None = None
        self._cannot_listen = False
        self._periodic = Periodic(f"hub-discovery-{lane_id}", self._look, recheck_s)

    def start(self) -> None:
        self._periodic.start()

    def stop(self) -> None:
        self._periodic.stop()
        if self._zeroconf is not None:
            closer = threading.Thread(target=self._close, name="hub-discovery-close", daemon=True)
            closer.start()
            closer.join(10)

    def _close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
        self._zeroconf.close()

    def _look(self) -> None:
        """Keep the hub we have while it is still heard; else take the first
        hub heard that proves it holds the pinned key and accepts our token."""
        watcher = self._watcher or self._listen()
        if watcher is None:
            return
        heard = sorted(watcher.services("hub"), key=lambda s: s.name)
        current = self.url()
        if current in {s.url for s in heard}:
            return
        for candidate in self._eligible(s.url for s in heard):
            key = self._proof(candidate, bound=True)
            if key is not None and self._accepts_us(candidate):
                log.info("lane %s: hub found by mDNS at %s", self.lane_id, candidate)
                self._move_to(candidate, key)
                return
        # none of the hubs heard is ours: keep the last one (mDNS may just have blinked)

    def _listen(self) -> ServiceWatcher | None:
        """Start listening for hubs; None (logged once, tried again later)
        where the network has no multicast."""
        try:
            self._zeroconf = zeroconf_for_host(self._host)
            self._watcher = ServiceWatcher(self._zeroconf, on_change=self._periodic.wake)
        except Exception as exc:  # zeroconf raises OSError and its own errors alike
            if self._zeroconf is not None:
                self._zeroconf.close()
                self._zeroconf = None
            if not self._cannot_listen:
                log.warning("lane %s: cannot listen for the hub on mDNS (set [upstream] url): %s",
                            self.lane_id, exc)
                self._cannot_listen = True
            return None
        return self._watcher

    def _eligible(self, urls: Iterator[str]) -> Iterator[str]:
        for url in urls:
            if self.verify is True or url.startswith("https://"):
                yield url
            elif url not in self._refused:
                log.warning("lane %s: not using the hub at %s: [upstream] ca_file asks for HTTPS",
                            self.lane_id, url)
                self._refused.add(url)

    def _accepts_us(self, url: str) -> bool:
        try:
            with self.session(self._token) as session:
                response = session.get(url + cursor_path(self.lane_id), timeout=self._timeout)
        except requests.RequestException as exc:
            log.debug("hub candidate %s unreachable: %s", url, exc)
            return False
        if response.status_code != 200 and url not in self._refused:
            log.warning("lane %s: the hub at %s does not take this lane's token (HTTP %s)",
                        self.lane_id, url, response.status_code)
            self._refused.add(url)
        return response.status_code == 200


def make_upstream(lane_id: str, url: str | None, token: str, host: str,
                  ca_file: Path | None, hub_key: Ed25519PublicKey | None) -> Upstream:
    """The lane's upstream from its config: the typed URL, else discovery.
    Either way the hub must prove it holds ``hub_key`` before it gets the
    token; without a pinned key only a typed https URL is ever used."""
    verify: bool | str = str(ca_file) if ca_file else True
    if url:
        return Upstream(url, verify, HubProver(lane_id, hub_key))
    if hub_key is None:
        raise ValueError("a hub found by mDNS must prove its identity: pin [upstream] hub_key")
    return DiscoveredUpstream(lane_id, token, host, hub_key, verify)


class UpstreamCollector(Collector):
    """``lanebox_upstream_info{source, url}`` = 1: where the lane sends to
    (url is empty while discovery has found no hub)."""

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream

    def collect(self) -> Iterator[Any]:
        info = self.upstream.describe()
        family = GaugeMetricFamily("lanebox_upstream_info", "Where this lane's hub is and how it was found",
                                   labels=["source", "url"])
        family.add_metric([info["source"], info["url"] or ""], 1)
        yield family
