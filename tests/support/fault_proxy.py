"""A real TCP proxy that mistreats the connections it carries, for sync fault tests.

It sits between the lane's agent and the hub and, per connection, as a
plan says: cuts the request after N bytes (the hub sees half a batch), cuts
the answer after N bytes (the hub has committed, the lane never hears the
ack), ends a cut with a TCP reset instead of a FIN, delays every chunk, or
replays the request bytes to the hub on a second connection (the hub gets
the same batch twice, concurrently). A hub that is down is seen as a reset.

Threads and blocking sockets: the hub closes every connection after one
answer, so a connection is one request and the plan is per request.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Callable

CHUNK = 16 * 1024


@dataclass(frozen=True)
class Fault:
    """What happens to one connection (the default: nothing)."""

    cut_request_after: int | None = None
    cut_response_after: int | None = None
    reset: bool = False
    delay: float = 0.0
    duplicate: bool = False

    @property
    def harmless(self) -> bool:
        return self == Fault()


Plan = Callable[[int], Fault]


def random_plan(seed: int, clean: float = 0.3, delay: float = 0.02) -> Plan:
    """A reproducible mix of every fault; ``clean`` is the share of untouched connections."""
    rng = random.Random(seed)
    faults: list[Callable[[], Fault]] = [
        lambda: Fault(cut_request_after=rng.randint(1, 12_000), reset=rng.random() < 0.5),
        lambda: Fault(cut_response_after=rng.choice([0, rng.randint(1, 200)]),
                      reset=rng.random() < 0.5),
        lambda: Fault(delay=delay),
        lambda: Fault(duplicate=True),
        lambda: Fault(duplicate=True, cut_response_after=0),
    ]

    def plan(_index: int) -> Fault:
        return Fault() if rng.random() < clean else rng.choice(faults)()

    return plan


class FaultProxy:
    """Listens on 127.0.0.1 (``port``) and forwards to ``target_port``, which a
    test may change while it runs (a restarted hub on a new port)."""

    def __init__(self, target_port: int, plan: Plan = lambda _index: Fault()) -> None:
        self.target_port = target_port
        self.plan = plan
        self.connections = 0
        self.faults = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self._thread.start()
        return self

    def close(self) -> None:
        self._closed = True
        _kill(self._listener, reset=False)
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            fault = self.plan(self.connections)
            self.connections += 1
            self.faults += not fault.harmless
            threading.Thread(target=self._carry, args=(client, fault), daemon=True).start()

    def _carry(self, client: socket.socket, fault: Fault) -> None:
        try:
            hub = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:  # the hub is down: the lane sees a reset
            _kill(client, reset=True)
            return
        hub.settimeout(None)
        replay = None
        if fault.duplicate:
            try:
                replay = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                pass
            else:
                threading.Thread(target=_drain, args=(replay,), daemon=True).start()

        def cut() -> None:
            _kill(client, fault.reset)
            _kill(hub, fault.reset)
            if replay is not None:  # the replay runs its course; the hub sees its end
                try:
                    replay.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        upstream = threading.Thread(
            target=_pump, args=(client, [hub] + ([replay] if replay else []),
                                fault.cut_request_after, fault.delay, cut), daemon=True)
        upstream.start()
        _pump(hub, [client], fault.cut_response_after, fault.delay, cut)
        upstream.join(30)


def _pump(source: socket.socket, sinks: list[socket.socket], limit: int | None, delay: float,
          cut: Callable[[], None]) -> None:
    """Copy ``source`` to ``sinks`` until EOF, then cut. With a ``limit``, cut
    once that many bytes are through — counted from the first byte received,
    so a limit of 0 on the answer means "the hub has answered; drop it"."""
    sent = 0
    try:
        while data := source.recv(CHUNK):
            if delay:
                time.sleep(delay)
            if limit is not None:
                data = data[:limit - sent]
            for sink in sinks:
                sink.sendall(data)
            sent += len(data)
            if limit is not None and sent >= limit:
                break
    except OSError:
        pass
    cut()


def _drain(sock: socket.socket) -> None:
    """Read and forget the hub's answer to a replayed request."""
    try:
        while sock.recv(CHUNK):
            pass
    except OSError:
        pass
    finally:
        sock.close()


def _kill(sock: socket.socket, reset: bool) -> None:
    """End a connection: a FIN, or with ``reset`` an RST (linger 0 then close).
    ``shutdown`` first wakes any thread blocked reading it."""
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RD)
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
