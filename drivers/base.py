"""The part every protocol driver shares: open a port by URL, read off the
caller's thread, reconnect by itself, count and log what it drops.

A protocol module subclasses :class:`SerialDriver` and implements
:meth:`SerialDriver.handle_bytes` (and, for devices that answer commands,
:meth:`SerialDriver.on_open`). Nothing here knows about Flask or storage:
the owner passes two callbacks and gets decoded readings and state changes.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import serial

from drivers.console_frames import FrameSplitter
from drivers.drop_log import DropLog
from drivers.port_rules import check_openable

log = logging.getLogger(__name__)

ReadingCallback = Callable[[dict[str, Any], bytes], None]
StatusCallback = Callable[[str, str], None]
TrafficCallback = Callable[[str, bytes], None]

CONNECTED = "connected"
DISCONNECTED = "disconnected"
ERROR = "error"

PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD,
            "M": serial.PARITY_MARK, "S": serial.PARITY_SPACE}


class DeviceError(Exception):
    """The device answered, but not with what we asked for (ES, EL, a timeout...)."""


class NotConnected(DeviceError):
    """A command was asked of a device whose port is not open right now."""


@dataclass(frozen=True)
class SerialSettings:
    """Line settings of one port; defaults are the 9600 8N1 most devices ship with."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    xonxoff: bool = False
    rtscts: bool = False

    def __post_init__(self) -> None:
        if self.baudrate not in serial.Serial.BAUDRATES and not 50 <= self.baudrate <= 4_000_000:
            raise ValueError(f"baudrate {self.baudrate} is not a serial speed")
        if self.bytesize not in (5, 6, 7, 8):
            raise ValueError(f"bytesize must be 5, 6, 7 or 8, not {self.bytesize}")
        if self.parity not in PARITIES:
            raise ValueError(f"parity must be one of {', '.join(PARITIES)}, not {self.parity!r}")
        if self.stopbits not in (1, 1.5, 2):
            raise ValueError(f"stopbits must be 1, 1.5 or 2, not {self.stopbits}")

    def as_kwargs(self) -> dict[str, Any]:
        return {"baudrate": self.baudrate, "bytesize": self.bytesize,
                "parity": PARITIES[self.parity], "stopbits": self.stopbits,
                "xonxoff": self.xonxoff, "rtscts": self.rtscts}


@dataclass
class DriverCounters:
    """What a technician needs to judge a link: traffic, losses, restarts."""

    frames: int = 0
    drops: int = 0
    reconnects: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    last_error: str | None = None
    drop_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"frames": self.frames, "drops": self.drops, "reconnects": self.reconnects,
                "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
                "last_error": self.last_error, "drop_reasons": dict(self.drop_reasons)}


def open_port(url: str, settings: SerialSettings, timeout: float) -> serial.SerialBase:
    """Open a serial device path or a terminal server's URL the same way.

    Only what :func:`drivers.port_rules.check_openable` allows is opened
    (:class:`~drivers.port_rules.PortRefused`, a ValueError, otherwise): a
    port is a config value, and pyserial's other URLs write files and reach
    other devices. Plain device paths are opened exclusively (POSIX flock)
    so two drivers never fight over one scale; URL handlers do not support
    that flag.
    """
    check_openable(url)
    kwargs = settings.as_kwargs()
    if "://" not in url:
        kwargs["exclusive"] = True
    return serial.serial_for_url(url, timeout=timeout, write_timeout=2.0, **kwargs)


class SerialDriver:
    """One device on one port, read on its own thread.

    Lifecycle: ``start()`` spawns the reader; it opens the port, calls
    :meth:`on_open` (identification, start of streaming), then feeds every
    byte it reads to :meth:`handle_bytes`. When the port fails — unplugged
    adapter, vanished pty, closed socket — the state goes ``disconnected``
    at once and the reader reopens it with capped exponential backoff.
    ``stop()`` ends the thread and closes the port; nothing leaks across
    reconnects because each attempt closes its handle in ``finally``.
    """

    kind: ClassVar[str] = ""
    name: ClassVar[str] = ""
    #: the raw console cuts what comes in into frames (drivers/console_frames.py); a binary protocol
    #: (Modbus) sets this, so its frames end only when the host speaks or the line falls quiet
    binary_frames: ClassVar[bool] = False

    def __init__(
        self,
        port: str,
        settings: SerialSettings | None = None,
        on_reading: ReadingCallback | None = None,
        on_status: StatusCallback | None = None,
        *,
        device_id: str | None = None,
        backoff_initial: float = 0.05,
        backoff_max: float = 1.0,
        poll_interval: float = 0.2,
    ) -> None:
        self.port = port
        self.settings = settings or SerialSettings()
        self.device_id = device_id or port
        # every record names its device, so the log can be rate-limited per device (common.logs)
        self.log = logging.LoggerAdapter(log, {"device": self.device_id})
        self._on_reading = on_reading or (lambda data, raw: None)
        self._on_status = on_status or (lambda state, detail: None)
        self._traffic_listeners: list[TrafficCallback] = []
        self._frames_in: FrameSplitter | None = None  # while someone listens: what comes in, cut into frames
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.poll_interval = poll_interval
        self.counters = DriverCounters()
        self.drop_log = DropLog(self.log, self.device_id, self.counters.drop_reasons)
        self.state = DISCONNECTED
        self.state_detail = "not started"
        self.identity: dict[str, str] = {}
        self._serial: serial.SerialBase | None = None
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ever_connected = False

    # ----- lifecycle -------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("driver already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"driver-{self.device_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        ser = self._serial
        if ser is not None and hasattr(ser, "cancel_read"):
            try:
                ser.cancel_read()
            except Exception:  # the port may be half-closed already
                pass
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def add_traffic_listener(self, listener: TrafficCallback) -> None:
        """Receive every whole frame in (``"in"``) and every write out (``"out"``): the raw console."""
        if self._frames_in is None:
            self._frames_in = FrameSplitter(lambda frame: self._tell("in", frame), binary=self.binary_frames)
        self._traffic_listeners.append(listener)

    def remove_traffic_listener(self, listener: TrafficCallback) -> None:
        if listener in self._traffic_listeners:
            self._traffic_listeners.remove(listener)
        if not self._traffic_listeners:
            self._frames_in = None

    # ----- for subclasses ---------------------------------------------
    def on_open(self) -> None:
        """Called on the reader thread after the port opens, before the
        state is ``connected``. Raise :class:`DeviceError` to refuse the
        device (it is then closed and retried)."""

    def on_close(self) -> None:
        """Called on the reader thread when the port has gone away."""

    def handle_bytes(self, data: bytes) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def emit_reading(self, data: dict[str, Any], raw: bytes) -> None:
        self.counters.frames += 1
        try:
            self._on_reading(data, raw)
        except Exception:  # a bad listener must not kill the reader
            self.log.exception("%s: reading listener failed", self.device_id)

    def drop(self, reason: str, raw: bytes) -> None:
        """Count a frame we could not use, and log it within bounds and without
        its bytes (:mod:`drivers.drop_log`: a reader's frame may hold a passport
        line); the loop goes on."""
        self.counters.drops += 1
        self.drop_log.note(reason, len(raw))

    def write(self, data: bytes) -> None:
        """Send bytes to the device; thread-safe. Raises NotConnected."""
        with self._write_lock:
            ser = self._serial
            if ser is None:  # open from on_open() until the port goes away
                raise NotConnected(f"{self.device_id} is not connected")
            try:
                ser.write(data)
            except (serial.SerialException, OSError) as exc:
                raise NotConnected(f"{self.device_id}: write failed: {exc}") from exc
            self.counters.bytes_out += len(data)
        self._tap("out", data)

    def set_state(self, state: str, detail: str = "") -> None:
        if (state, detail) == (self.state, self.state_detail):
            return
        self.state, self.state_detail = state, detail
        if state == ERROR:
            self.counters.last_error = detail
        try:
            self._on_status(state, detail)
        except Exception:
            self.log.exception("%s: status listener failed", self.device_id)

    def read_until(self, done: Callable[[], bool], deadline: float) -> bool:
        """Pump the port until ``done()`` or ``deadline`` (monotonic) — how
        ``on_open`` waits for replies before the main loop runs. Returns done()."""
        ser = self._serial
        assert ser is not None
        while not done() and time.monotonic() < deadline and not self._stop.is_set():
            self._pump(ser)
        return done()

    # ----- the reader thread ------------------------------------------
    def _run(self) -> None:
        delay = self.backoff_initial
        while not self._stop.is_set():
            try:
                ser = open_port(self.port, self.settings, self.poll_interval)
            except (serial.SerialException, OSError, ValueError) as exc:
                if self.state == DISCONNECTED:  # already said; keep the newest reason
                    self.state_detail = f"cannot open {self.port}: {exc}"
                else:
                    self.set_state(DISCONNECTED, f"cannot open {self.port}: {exc}")
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max)
                continue
            try:
                if self._session(ser):
                    delay = self.backoff_initial
            finally:
                self._serial = None
                try:
                    ser.close()
                except Exception:
                    pass
                self.on_close()
            if not self._stop.is_set():
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max)
        self.set_state(DISCONNECTED, "stopped")

    def _session(self, ser: serial.SerialBase) -> bool:
        """Run one open port until it fails; True if it got to ``connected``."""
        self._serial = ser
        try:
            ser.reset_input_buffer()  # stale bytes queued while nobody listened
        except (serial.SerialException, OSError, NotImplementedError):
            pass
        reached_connected = False
        try:
            self.on_open()
            if self._ever_connected:
                self.counters.reconnects += 1
            self._ever_connected = reached_connected = True
            self.set_state(CONNECTED, self.port)
            while not self._stop.is_set():
                self._pump(ser)
        except DeviceError as exc:
            self.set_state(ERROR, str(exc))
        except (serial.SerialException, OSError) as exc:
            self.counters.last_error = str(exc)
            self.set_state(DISCONNECTED, f"{self.port} went away: {exc}")
        return reached_connected

    def _pump(self, ser: serial.SerialBase) -> None:
        # read() returns as soon as one byte is there; then take what waits.
        data = ser.read(max(1, ser.in_waiting))
        self.drop_log.flush()  # the sum of an interval's drops is logged even when the garbage has stopped
        if not data:
            frames = self._frames_in
            if frames is not None:
                frames.flush()  # the line is quiet: what came in is a frame
            self.on_idle()
            return
        self.counters.bytes_in += len(data)
        self._tap("in", data)
        try:
            self.handle_bytes(data)
        except Exception as exc:  # a parser bug must not kill the reader
            # where it failed, not its message: that may quote the bytes
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.log.error("%s: parser failed: %s at %s:%s", self.device_id, type(exc).__name__,
                           where.filename, where.lineno)
            self.drop("parser error", data)

    def on_idle(self) -> None:
        """Called after a read timeout with nothing received (e.g. to expire
        a partial multi-line frame)."""

    def _tap(self, direction: str, data: bytes) -> None:
        frames = self._frames_in
        if frames is None:
            return
        if direction == "in":
            frames.feed(data)
            return
        frames.flush()  # the host speaks: the answer before it is over
        self._tell(direction, data)

    def _tell(self, direction: str, data: bytes) -> None:
        for listener in list(self._traffic_listeners):
            try:
                listener(direction, data)
            except Exception:
                self.log.exception("%s: traffic listener failed", self.device_id)
