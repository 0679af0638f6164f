"""Lanes and the hub finding each other on the port network (mDNS/zeroconf).

Both advertise ``_lanebox._tcp.local.`` (docs/contract.md): a lane with TXT
``role=lane``, ``lane=ID``, ``api=/api/v1``; the hub with ``role=hub``. A
server on HTTPS adds ``scheme=https`` (absent means http, as before). A
lane without ``[upstream] url`` asks :class:`ServiceWatcher` for the hub
(:mod:`sync.lane.upstream`); the hub lists the lanes it hears about. mDNS does
not cross VLANs, so a typed URL always works too — discovery only fills in
what is not set.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import ifaddr
from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

log = logging.getLogger(__name__)

SERVICE_TYPE = "_lanebox._tcp.local."
API_PATH = "/api/v1"


def make_zeroconf(interfaces: list[str] | None = None) -> Zeroconf:
    """A Zeroconf on the given IPv4 addresses (tests: ``["127.0.0.1"]``) or all."""
    if interfaces:
        return Zeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
    return Zeroconf(ip_version=IPVersion.V4Only)


def zeroconf_for_host(host: str) -> Zeroconf:
    """A Zeroconf on the interface a server binds to (all of them for a wildcard)."""
    return make_zeroconf(None if host in ("0.0.0.0", "") else [host])


def advertised_addresses(host: str) -> list[str]:
    """The IPv4 addresses to announce for a server bound to ``host``: itself,
    or for a wildcard bind every non-loopback address of the machine."""
    if host not in ("0.0.0.0", "", "::"):
        return [host]
    found = [ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips
             if isinstance(ip.ip, str) and not ip.ip.startswith("127.")]
    return found or ["127.0.0.1"]


@dataclass(frozen=True)
class Service:
    """One lanebox server heard on the network."""

    name: str
    role: str
    lane: str | None
    url: str
    api: str


class Announcer:
    """Advertises one server until closed. Registration (mDNS probing takes
    a couple of seconds) runs on its own thread so startup is not held up."""

    def __init__(self, zeroconf: Zeroconf, role: str, port: int, addresses: list[str],
                 lane: str | None = None, instance: str | None = None, scheme: str = "http") -> None:
        properties = {"role": role, "api": API_PATH}
        if lane:
            properties["lane"] = lane
        if scheme != "http":
            properties["scheme"] = scheme
        instance = instance or (f"lanebox lane {lane}" if lane else "lanebox hub")
        host = (lane or "hub").lower().replace("_", "-")
        self.zeroconf = zeroconf
        self.info = ServiceInfo(SERVICE_TYPE, f"{instance}.{SERVICE_TYPE}", port=port, properties=properties,
                                addresses=[socket.inet_aton(a) for a in addresses],
                                server=f"lanebox-{host}.local.")
        self._registered = threading.Event()
        self._thread = threading.Thread(target=self._register, name="mdns-announce", daemon=True)

    def start(self) -> "Announcer":
        self._thread.start()
        return self

    def wait_registered(self, timeout: float) -> bool:
        return self._registered.wait(timeout)

    def _register(self) -> None:
        try:
            self.zeroconf.register_service(self.info, allow_name_change=True)
            self._registered.set()
        except Exception:  # no multicast on this network: discovery is optional
            log.warning("could not advertise %s over mDNS", self.info.name, exc_info=True)

    def close(self) -> None:
        self._thread.join(5)
        if self._registered.is_set():
            try:
                self.zeroconf.unregister_service(self.info)
            except Exception:
                log.debug("unregister failed", exc_info=True)


class ServiceWatcher:
    """Keeps the set of lanebox services currently heard; ``on_change`` is
    called (on zeroconf's thread: keep it short) after each change."""

    def __init__(self, zeroconf: Zeroconf, on_change: Callable[[], None] | None = None) -> None:
        self.zeroconf = zeroconf
        self._on_change_callback = on_change
        self._services: dict[str, Service] = {}
        self._changed = threading.Condition()
        self._browser = ServiceBrowser(zeroconf, SERVICE_TYPE, handlers=[self._on_change])

    def _on_change(self, zeroconf: Zeroconf, service_type: str, name: str,
                   state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Removed:
            with self._changed:
                self._services.pop(name, None)
                self._changed.notify_all()
        else:
            info = zeroconf.get_service_info(service_type, name, timeout=2000)
            service = _service_from_info(name, info) if info else None
            if service is None:
                return
            with self._changed:
                self._services[name] = service
                self._changed.notify_all()
        if self._on_change_callback is not None:
            self._on_change_callback()

    def services(self, role: str | None = None) -> list[Service]:
        with self._changed:
            return [s for s in self._services.values() if role is None or s.role == role]

    def wait_for(self, role: str, timeout: float, lane: str | None = None) -> Service | None:
        """The first service of ``role`` (and ``lane``) heard within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                match = next((s for s in self._services.values()
                              if s.role == role and (lane is None or s.lane == lane)), None)
                left = deadline - time.monotonic()
                if match or left <= 0:
                    return match
                self._changed.wait(left)

    def close(self) -> None:
        self._browser.cancel()


def _service_from_info(name: str, info: ServiceInfo) -> Service | None:
    properties: dict[str, Any] = info.decoded_properties
    addresses = info.parsed_addresses(IPVersion.V4Only)
    role = properties.get("role")
    scheme = properties.get("scheme") or "http"
    if role not in ("lane", "hub") or scheme not in ("http", "https") or not addresses or not info.port:
        return None
    return Service(name=name, role=role, lane=properties.get("lane"), api=properties.get("api") or API_PATH,
                   url=f"{scheme}://{addresses[0]}:{info.port}")
