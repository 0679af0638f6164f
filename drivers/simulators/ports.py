"""Carry a simulator's bytes the way a real device's travel.

:class:`PtyPort` gives a real ``/dev/pts/N`` the driver opens like any
serial port; :class:`TcpPort` is a terminal server for ``socket://`` URLs.
Both can be unplugged and plugged back in, which is how the tests make a
port vanish and return. Writes never block: a real device does not wait
for a listener, so bytes nobody reads are lost, as on a real line.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import threading
import time
import tty
from pathlib import Path
from types import TracebackType

from drivers.simulators.device import DeviceSimulator


class _Port:
    """The thread that moves bytes both ways and drives ``tick``."""

    def __init__(self, device: DeviceSimulator) -> None:
        self.device = device
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> "_Port":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> "_Port":
        self._open()
        self.device.attach(self._write)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
        self.device.detach(self._write)
        with self._lock:
            self._shut()

    def unplug(self) -> None:
        """The device disappears: its end of the line is gone."""
        with self._lock:
            self._shut()

    def replug(self) -> None:
        """The device comes back (under the same link/port where there is one)."""
        with self._lock:
            self._shut()
            self._open()

    def _serve(self) -> None:
        interval = self.device.tick_interval
        next_tick = time.monotonic() + interval if interval else None
        while not self._stop.is_set():
            timeout = 0.05 if next_tick is None else max(0.0, min(0.05, next_tick - time.monotonic()))
            self._poll(timeout)
            if next_tick is not None and time.monotonic() >= next_tick:
                next_tick += interval  # type: ignore[operator]
                if next_tick < time.monotonic():
                    next_tick = time.monotonic() + interval  # type: ignore[operator]
                self.device.tick()

    # transport-specific
    def _open(self) -> None: raise NotImplementedError
    def _shut(self) -> None: raise NotImplementedError
    def _poll(self, timeout: float) -> None: raise NotImplementedError
    def _write(self, data: bytes) -> None: raise NotImplementedError


class PtyPort(_Port):
    """A simulator on a pseudo-terminal.

    ``link``, if given, is kept as a symlink to the current ``/dev/pts/N``
    — like a ``/dev/serial/by-id`` name, it survives unplug/replug even
    though the kernel hands out a new pts number.
    """

    def __init__(self, device: DeviceSimulator, link: str | os.PathLike[str] | None = None) -> None:
        super().__init__(device)
        self.link = Path(link) if link else None
        self._master: int | None = None
        self._slave: int | None = None
        self.device_path = ""

    @property
    def path(self) -> str:
        """What a driver should open: the link if any, else the pts path."""
        return str(self.link) if self.link else self.device_path

    def _open(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation: a plain wire
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.device_path = os.ttyname(slave)
        if self.link:
            tmp = self.link.with_name(self.link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(self.device_path)
            tmp.replace(self.link)

    def _shut(self) -> None:
        if self.link:
            self.link.unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def _poll(self, timeout: float) -> None:
        master = self._master
        if master is None:
            time.sleep(timeout)
            return
        try:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                return
            with self._lock:  # unplug may have closed (and the OS reused) the fd
                data = os.read(self._master, 4096) if self._master is not None else b""
        except (OSError, ValueError) as exc:  # closed under us by unplug, or EIO
            if isinstance(exc, OSError) and exc.errno not in (errno.EBADF, errno.EIO, errno.EAGAIN):
                raise
            time.sleep(0.01)
            return
        if data:
            self.device.receive(data)

    def _write(self, data: bytes) -> None:
        with self._lock:
            if self._master is None:
                return
            try:
                os.write(self._master, data)
            except OSError:  # buffer full or port unplugged: the bytes are lost
                pass


class TcpPort(_Port):
    """A simulator behind a TCP terminal server on 127.0.0.1 (``socket://``)."""

    def __init__(self, device: DeviceSimulator, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(device)
        self.host, self.port = host, port
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None

    @property
    def path(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def _open(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(1)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _shut(self) -> None:
        for sock in (self._client, self._listener):
            if sock is not None:
                sock.close()
        self._client = self._listener = None

    def _poll(self, timeout: float) -> None:
        sockets = [s for s in (self._listener, self._client) if s is not None]
        if not sockets:
            time.sleep(timeout)
            return
        try:
            ready, _, _ = select.select(sockets, [], [], timeout)
        except (OSError, ValueError):
            return
        for sock in ready:
            if sock is self._listener:
                self._accept()
            elif sock is self._client:
                self._read_client()

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()  # type: ignore[union-attr]
        except OSError:
            return
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = client

    def _read_client(self) -> None:
        with self._lock:
            client = self._client
            try:
                data = client.recv(4096) if client is not None else b""
            except BlockingIOError:
                return
            except OSError:
                data = b""
        if data:
            self.device.receive(data)
            return
        with self._lock:
            if self._client is client and client is not None:
                client.close()
                self._client = None

    def _write(self, data: bytes) -> None:
        with self._lock:
            if self._client is None:
                return
            try:
                self._client.send(data)
            except OSError:  # peer gone or not reading: the bytes are lost
                pass
