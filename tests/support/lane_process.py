"""Starting the real ``lanebox serve`` in a subprocess, with simulated devices
on real ptys (and one on a TCP terminal server), for end-to-end tests."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests

from common.eventlog.store import EventStore
from drivers.simulators.aim_barcode import BarcodeSimulator
from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.load import LoadModel
from drivers.simulators.mrz_reader import DocumentReaderSimulator
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort, TcpPort
from edge.store import lane_store_path, open_lane_store
from lanebox.commands.users import lane_accounts

LANEBOX = [sys.executable, "-m", "lanebox"]
#: the line ``lanebox serve`` and ``lanebox hub`` print once listening
SERVING = re.compile(r"serving on (https?://\S+)")
PASSWORDS = {"olga": ("officer", "olga amber kettle"), "tom": ("technician", "tom copper lantern"),
             "sue": ("supervisor", "sue violet harbour"), "vic": ("viewer", "vic maple drizzle")}


def run_cli(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*LANEBOX, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"lanebox {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def hub_key_of(url: str, lane: str) -> str:
    """The key the hub at ``url`` presents, for a rig to pin (a test trusts the hub
    it started; a real lane pins what `lanebox hub add-lane` printed)."""
    response = requests.post(f"{url}/api/v1/sync/{lane}/identity", json={"nonce": "0" * 64}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["key"]


@dataclass
class LaneRig:
    """Simulators, a config file and (when started) a running server."""

    root: Path
    sims: dict[str, Any] = field(default_factory=dict)
    ports: dict[str, PtyPort | TcpPort] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    url: str = ""
    output: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    lane_id: str = "TEST-IN-01"
    upstream: tuple[str, str] | None = None  # (hub url, sync token)
    #: the [upstream] hub_key pinned; None: the rig asks the hub at the url for it (the hub must be up)
    hub_key: str | None = None
    #: more keys of a device's [[devices]] table, e.g. {"scale-1": {"calibration_interval_days": 30}}
    device_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / "lane.toml"

    def write_config(self) -> None:
        devices = "".join(
            f'\n[[devices]]\nid = "{device_id}"\nkind = "{sim.kind}"\ndriver = "{sim.driver}"\n'
            f'port = "{self.ports[device_id].path}"\n'
            + "".join(f"{key} = {json.dumps(value)}\n"
                      for key, value in self.device_settings.get(device_id, {}).items())
            for device_id, sim in self.sims.items())
        upstream = (f'[upstream]\nurl = "{self.upstream[0]}"\ntoken = "{self.upstream[1]}"\n'
                    f'hub_key = "{self.hub_key or hub_key_of(self.upstream[0], self.lane_id)}"\n\n'
                    if self.upstream else "")
        self.config_path.write_text(
            f'[lane]\nid = "{self.lane_id}"\nname = "Test lane"\n\n'
            f'[server]\nhost = "127.0.0.1"\nport = 0\ndata_dir = "data"\nserial_by_id_dir = "by-id"\n\n'
            f'[terminal_servers]\nhosts = ["127.0.0.1"]\n\n{upstream}{devices}')  # the TcpPort simulators

    def open_store(self) -> EventStore:
        """The lane's own store, for a test to write what happened before the server starts
        (``with rig.open_store() as store: store.append(...)``): the chain stays whole."""
        (self.root / "data").mkdir(exist_ok=True)
        return open_lane_store(lane_store_path(self.root / "data"), self.lane_id)

    def add_users(self) -> None:
        """The test's users, added by the code behind ``lanebox users add`` (tests/scenario/test_cli.py
        runs the command itself) in this process: a command per user cost each rig seconds."""
        with lane_accounts(self.config_path) as book:
            for username, (role, password) in PASSWORDS.items():
                book.add(username, role, password)

    def start(self, timeout: float = 20.0) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([*LANEBOX, "serve", "--config", str(self.config_path)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        ready = threading.Event()

        def pump() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                serving = SERVING.search(line)
                if serving and not ready.is_set():
                    self.url = serving.group(1)
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout):
            self.stop()
            raise AssertionError("lane server did not start:\n" + "".join(self.output))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(15)
        self.process = None
        return code

    def close(self) -> None:
        self.stop()
        for port in self.ports.values():
            port.close()

    def token(self, username: str) -> str:
        """A session token for ``username``, signed in once and reused."""
        if username not in self.tokens:
            self.tokens[username] = self.sign_in(username)
        return self.tokens[username]

    def sign_in(self, username: str) -> str:
        password = PASSWORDS[username][1]
        response = requests.post(f"{self.url}/api/v1/session", json={"username": username, "password": password},
                                 timeout=10)
        response.raise_for_status()
        return response.json()["token"]

    def api(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return requests.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=15, **kwargs)


def by_id_link(root: Path, name: str) -> Path:
    """Where a simulated device's stable name goes: the rig's stand-in for /dev/serial/by-id."""
    (root / "by-id").mkdir(exist_ok=True)
    return root / "by-id" / f"usb-lanebox_sim_{name}-if00"


@contextmanager
def running(rig: LaneRig) -> Iterator[LaneRig]:
    """The rig's lane started, and closed with its simulators afterwards, whatever happens."""
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


def make_rig(root: Path, device_settings: dict[str, dict[str, Any]] | None = None,
             history: Callable[[EventStore], None] | None = None, bench_scale: bool = False) -> LaneRig:
    """Scale, barcode, document reader on ptys (with by-id style links) and a
    trace detector behind a TCP terminal server (``socket://``); with
    ``bench_scale``, also a 60 kg bench scale (``bench-1``, use = "bench") for
    seized goods. ``history`` writes the lane's past (e.g. an old calibration)
    into its new store first."""
    settings = {**(device_settings or {}), **({"bench-1": {"use": "bench"}} if bench_scale else {})}
    rig = LaneRig(root=root, device_settings=settings)
    rig.sims = {"scale-1": MtSicsSimulator(), "barcode-1": BarcodeSimulator(),
                "document-1": DocumentReaderSimulator(), "trace-1": EtdSimulator()}
    if bench_scale:  # listed first: the weighbridge is still the lane's scale
        rig.sims = {"bench-1": MtSicsSimulator(LoadModel(capacity=60.0, d=0.02), type_name="SIM-BENCH60"),
                    **rig.sims}
    for device_id, sim in rig.sims.items():
        port = TcpPort(sim) if device_id == "trace-1" else PtyPort(sim, link=by_id_link(root, device_id))
        rig.ports[device_id] = port.start()
    rig.write_config()
    if history is not None:
        with rig.open_store() as store:
            history(store)
    rig.add_users()
    return rig
