"""Which ports a device may be opened on.

pyserial's ``serial_for_url`` is more than a serial port: ``spy://`` writes
a trace to any file (``?file=``), ``hwgrep://``, ``alt://`` and
``cp2110://`` pick other devices and classes, and ``socket://`` /
``rfc2217://`` reach any host. A device's port comes from a config file,
a technician's form or a stored event, so it is checked before anything
opens it:

- :class:`PortPolicy` is the lane's rule: a serial device path under
  ``/dev`` (``/dev/tty*``, ``/dev/rfcomm*``, ``/dev/pts/N``,
  ``/dev/serial/by-id|by-path/NAME``) or a name in the lane's by-id folder,
  or ``socket://HOST:PORT`` / ``rfc2217://HOST:PORT`` to a host the lane's
  config lists; never a query string (pyserial reads options from it).
- A driver whose device is a local HTTP service (``transport = "http"`` in
  :mod:`drivers.registry`, e.g. a full-page reader's REST service) takes
  exactly ``http://HOST:PORT`` to a host the config lists, and nothing
  else; a serial driver never takes an ``http://`` URL. The URL is matched
  whole (:data:`HTTP_URL`) rather than split, so no user part, path,
  backslash or percent sign can make the HTTP library read another host or
  path than the one checked.
- :func:`check_openable` is the last line, in :func:`drivers.base.open_port`
  (and in the HTTP client): whatever the caller checked, only a character
  device, ``socket://``, ``rfc2217://`` or the in-memory ``loop://`` (tests,
  benches), without options, is opened — or, for an HTTP driver, only
  ``http://HOST:PORT``.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

NETWORK_SCHEMES = ("socket", "rfc2217")
"""Terminal servers: raw TCP and RFC 2217 (telnet with serial control)."""
OPENABLE_SCHEMES = (*NETWORK_SCHEMES, "loop")
"""What the driver layer opens at all; ``loop://`` is in-memory (tests and benches) and reaches nothing."""
DEVICE_PATHS = re.compile(r"^/dev/(tty[A-Za-z0-9_]+|rfcomm[0-9]+|pts/[0-9]+|serial/by-(id|path)/[^/]+)$")
"""Serial device names as the kernel and udev make them (what the port list shows)."""
UNSAFE = re.compile(r"[\s?#\x00-\x1f\x7f]")
"""Whitespace, control characters, and the query and fragment marks pyserial would read options from."""
SERIAL = "serial"
HTTP = "http"
"""How a driver reaches its device (:class:`drivers.registry.DriverEntry`): a serial port (or terminal server), or
a local HTTP service."""
HTTP_URL = re.compile(r"^http://(?P<host>[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):(?P<port>[0-9]{1,5})\Z")
"""The whole of an HTTP device's port: scheme, host (a name, IPv4 or bracketed IPv6) and port, nothing more."""


class PortRefused(ValueError):
    """The port is not one a lane device may use; the message says what is allowed."""


def check_openable(port: str, transport: str = SERIAL) -> None:
    """Refuse (:class:`PortRefused`) what no driver may open, whoever asked.

    A plain path must be a character device (a missing one is left to the
    open, which says so); a URL must be one of :data:`OPENABLE_SCHEMES`
    with no options. An HTTP driver's port must be ``http://HOST:PORT``.
    """
    if transport == HTTP:
        http_host(port)
        return
    if UNSAFE.search(port):
        raise PortRefused(f"{port!r}: no spaces, control characters, '?' or '#' in a port")
    if "://" in port:
        scheme = port.split("://", 1)[0].lower()
        if scheme not in OPENABLE_SCHEMES:
            raise PortRefused(f"{port!r}: a {scheme}:// URL is not a serial port")
        return
    try:
        mode = os.stat(port).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PortRefused(f"{port!r}: {exc.strerror}") from None
    if not stat.S_ISCHR(mode):
        raise PortRefused(f"{port!r} is not a character device")


@dataclass(frozen=True)
class PortPolicy:
    """The ports a lane's devices may use.

    ``network_hosts`` are the terminal servers (names or addresses, as the
    URL writes them) that ``socket://`` and ``rfc2217://`` may reach;
    ``device_dir`` is the lane's by-id folder, whose names are serial ports
    too (the test rigs and a box with its own udev rules keep them elsewhere).
    """

    network_hosts: frozenset[str] = frozenset()
    device_dir: Path = Path("/dev/serial/by-id")

    def check(self, port: str, transport: str = SERIAL) -> None:
        """Refuse (:class:`PortRefused`, naming what is allowed) any other port for a driver of ``transport``."""
        if transport == HTTP:
            self._check_http(port)
            return
        scheme = port.split("://", 1)[0] if "://" in port else None
        if scheme is not None and scheme not in NETWORK_SCHEMES:
            raise PortRefused(f"{port!r}: {scheme}:// is not allowed; {self.allowed()}")
        if UNSAFE.search(port):
            raise PortRefused(f"{port!r} has spaces, control characters, '?' or '#'; {self.allowed()}")
        if scheme is not None:
            self._check_url(port, scheme)
        elif not self._is_device_path(port):
            raise PortRefused(f"{port!r} is not a serial device path; {self.allowed()}")

    def allowed(self) -> str:
        """What a port may be, as one sentence for an error message."""
        hosts = ", ".join(sorted(self.network_hosts)) or "none are configured"
        return (f"a port is a serial device (/dev/ttyS0, /dev/ttyUSB0, /dev/pts/N, /dev/serial/by-id/NAME, "
                f"NAME in {self.device_dir}) or socket://HOST:PORT or rfc2217://HOST:PORT to a host in "
                f"[terminal_servers] hosts ({hosts})")

    def allowed_http(self) -> str:
        """What an HTTP device's port may be, as one sentence for an error message."""
        hosts = ", ".join(sorted(self.network_hosts)) or "none are configured"
        return f"an HTTP device's port is http://HOST:PORT to a host in [terminal_servers] hosts ({hosts})"

    def _check_http(self, port: str) -> None:
        try:
            host = http_host(port)
        except PortRefused:
            raise PortRefused(f"{port!r} is not http://HOST:PORT; {self.allowed_http()}") from None
        if host not in self.network_hosts:
            raise PortRefused(f"{port!r}: host {host} is not a terminal server of this lane; {self.allowed_http()}")

    def _is_device_path(self, port: str) -> bool:
        if os.path.normpath(port) != port:  # no '..', no '//', no trailing '/'
            return False
        path = Path(port)
        return bool(DEVICE_PATHS.match(port)) or (path.parent == self.device_dir and path.name not in ("", ".."))

    def _check_url(self, port: str, scheme: str) -> None:
        parts = urlsplit(port)
        try:
            tcp_port = parts.port
        except ValueError:
            tcp_port = None
        if parts.username is not None or parts.path or not parts.hostname or not tcp_port:
            raise PortRefused(f"{port!r} is not {scheme}://HOST:PORT; {self.allowed()}")
        if parts.hostname not in self.network_hosts:
            raise PortRefused(f"{port!r}: host {parts.hostname} is not a terminal server of this lane; "
                              f"{self.allowed()}")


def http_host(port: str) -> str:
    """The host of an ``http://HOST:PORT`` port, as :func:`network_host` writes it; :class:`PortRefused` for
    anything else (another scheme, a user part, a path, a query, no port or one out of range)."""
    match = HTTP_URL.match(port)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise PortRefused(f"{port!r} is not http://HOST:PORT (no user, path, query or fragment)")
    return network_host(match["host"])


def network_host(value: str) -> str:
    """A ``[terminal_servers]`` host as URLs name it (lower case, IPv6 without brackets), to compare with
    what :func:`urllib.parse.urlsplit` (and so pyserial) reads as the URL's host."""
    return value.strip().strip("[]").lower()
