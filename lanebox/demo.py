"""``lanebox demo``: a port in miniature on one machine, nothing to configure.

A port hub and two lanes, each lane with the devices of a whole vehicle
lane simulated on pseudo-terminals — weighbridge, barcode reader, document
reader, trace detector, radiation portal monitor and a bench scale for
seized goods — and a plate/container camera; demo reference data
(``demo_reference.json``) and demo users whose passwords are printed. The
scans, passports and swabs run their devices' demo scripts; lorries drive
through each lane (:mod:`lanebox.demo_traffic`: the portal monitor, the
camera's read pushed to the lane, then the weighbridge), so the lane opens
vehicle cards by itself; goods come and go on the bench
(:mod:`lanebox.demo_bench`). The lanes sync to the hub, which
serves the control-room board. Everything keeps its store under one folder
(./lanebox-demo or the one named) and listens on 127.0.0.1 only.

The hub and the lanes run as ``lanebox hub`` and ``lanebox serve`` child
processes — the production server, as at a port — from the TOML configs
written in that folder (a newcomer can read them, and run them by hand);
their logs go beside them. The simulated devices and the traffic stay in
this process; each start makes each lane's camera a new token (its hash in
the lane's config, the token printed).
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path
from typing import IO, Any, Callable, cast

from common.accounts.sessions import UserExists
from common.eventlog.store import EventStore
from common.reference import latest_reference_event, load_reference_file, store_reference
from drivers.simulators.load import LoadDriven
from drivers.simulators.rapiscan_lines import RapiscanSimulator
from drivers.simulators.runner import RunningSimulator, start_simulator
from edge.cameras.tokens import new_token, token_sha256
from edge.config import LaneConfig, load_config
from edge.store import lane_store_path, open_lane_store
from edge.users import UserDirectory
from lanebox.demo_bench import CAPACITY_KG, start_bench_scale
from lanebox.demo_traffic import LaneTraffic, lorries
from sync.roster import RosterUser, parse_roster

DEMO_LANE = "DEMO-IN-01"
DEMO_LANES = (DEMO_LANE, "DEMO-IN-02")
DEMO_HUB = "DEMO-HUB"
DEMO_HUB_PORT = 9090
DEMO_USERS = (  # username, role, password — demo only, printed at start
    ("officer", "officer", "blue-harbour-gate"),
    ("tech", "technician", "copper-tool-bench"),
    ("super", "supervisor", "night-watch-tower"),
    ("viewer", "viewer", "glass-window-view"),
)
DEMO_REFERENCE = resources.files("lanebox") / "demo_reference.json"
DEMO_DEVICES = (("scale-1", "scale", "mt-sics"), ("barcode-1", "barcode", "aim-barcode"),
                ("document-1", "document", "mrz-reader"), ("trace-1", "trace", "etd-ascii"),
                ("rpm-1", "radiation", "rapiscan-lines"), ("bench-1", "scale", "mt-sics"))
WEIGHBRIDGE, RPM, BENCH = "scale-1", "rpm-1", "bench-1"
DRIVEN_BY_TRAFFIC = (WEIGHBRIDGE, RPM)
"""Idle but for the lorries :class:`LaneTraffic` drives through them (no demo script of their own)."""
DEMO_CAMERA = "gate-1"
VEHICLES_WAITING_MIN = 15
"""A lorry nobody inspected leaves the demo's lane screen after this (a lane's default is an hour): the
traffic sends one about every 45 s, and a newcomer wants the newest few, not a list of eighty."""
#: the line ``lanebox serve`` and ``lanebox hub`` print once serving
SERVING = re.compile(r"serving on (https?://\S+)")
START_TIMEOUT_S = 120.0  # a first start creates the stores; a small box takes its time
STOP_TIMEOUT_S = 30.0

Simulators = dict[str, RunningSimulator]


class DemoError(Exception):
    """The demo cannot go on; the message says why in one line."""


def start_lane_devices(pace: float) -> Simulators:
    """One demo lane's simulated devices, each on a new pty: the bench scale with goods set on it,
    the weighbridge and the portal monitor idle for the traffic, the others playing their demo scripts."""
    return {device_id: start_bench_scale(pace) if device_id == BENCH else
            start_simulator(kind, driver, pace=pace, demo=device_id not in DRIVEN_BY_TRAFFIC)
            for device_id, kind, driver in DEMO_DEVICES}


def lane_config_table(lane: str, port: int, simulators: Simulators, data_dir: str,
                      upstream: tuple[str, str, str], camera_token: str) -> dict[str, Any]:
    """A demo lane's config, as the TOML file written for it holds it;
    ``upstream`` is the hub's (url, this lane's token, the hub's key);
    ``camera_token`` the one its camera pushes with (the config keeps its hash)."""
    return {
        "lane": {"id": lane, "name": f"Demo inbound lane {lane[-1]}"},
        "vehicles": {"waiting_min": VEHICLES_WAITING_MIN},
        "server": {"host": "127.0.0.1", "port": port, "data_dir": data_dir},
        "upstream": {"url": upstream[0], "token": upstream[1], "hub_key": upstream[2]},
        "devices": [{"id": device_id, "kind": kind, "driver": driver, "port": simulators[device_id].path,
                     **({"use": "bench"} if device_id == BENCH else {})}
                    for device_id, kind, driver in DEMO_DEVICES],
        "cameras": [{"id": DEMO_CAMERA, "format": "generic", "role": "both",
                     "token_sha256": token_sha256(camera_token)}],
    }


def start_traffic(urls: dict[str, str], camera_tokens: dict[str, str], simulators: dict[str, Simulators],
                  pace: float) -> list[LaneTraffic]:
    """Lorries through every demo lane, each lane's in its own order."""
    declarations = load_reference_file(DEMO_REFERENCE).data["declarations"]
    traffic = []
    for lane, url in urls.items():
        rng = random.Random()
        rpm = cast(RapiscanSimulator, simulators[lane][RPM].simulator)
        weighbridge = cast(LoadDriven, simulators[lane][WEIGHBRIDGE].simulator)
        traffic.append(LaneTraffic(url, DEMO_CAMERA, camera_tokens[lane], rpm, weighbridge,
                                   lorries(declarations, rng), rng, pace).start())
    return traffic


def device_role(device_id: str) -> str:
    """What the device is at the lane, in the printed list."""
    return {WEIGHBRIDGE: "weighbridge (the lorries drive onto it)", RPM: "portal monitor (the lorries drive through)",
            BENCH: f"bench scale for seized goods ({CAPACITY_KG:.0f} kg)"}.get(device_id, "")


def write_toml(path: Path, tables: dict[str, Any], command: str) -> Path:
    """Write a config of tables (and arrays of tables) of strings and numbers."""
    lines = [f"# Written by `lanebox demo` for: {command}", ""]
    for name, table in tables.items():
        for entry in table if isinstance(table, list) else [table]:
            lines.append(f"[[{name}]]" if isinstance(table, list) else f"[{name}]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def prepare_demo_store(config: LaneConfig, roster: list[RosterUser]) -> None:
    """The demo users and reference data, in a new store or an earlier demo's.

    The users come as a lane gets them from its hub: ``roster`` is the demo
    hub's, merged as the roster puller would (it finds nothing to change
    later), so one sign-in works at both lanes and the board from the start."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with open_lane_store(lane_store_path(config.data_dir), config.lane_id) as store:
        UserDirectory(store).merge_roster(roster)
        ensure_demo_reference(store)


def ensure_demo_reference(store: EventStore) -> None:
    """Load the demo reference data unless the store has some: data loaded
    since (``lanebox reference load``) is kept across demo restarts."""
    if latest_reference_event(store) is None:
        store_reference(store, load_reference_file(DEMO_REFERENCE), actor="lanebox-demo")


def prepare_demo_hub(data_dir: Path) -> tuple[dict[str, str], str, dict[str, list[RosterUser]]]:
    """The demo hub's store: both lanes registered (their tokens kept beside the
    store, as only hashes are in it) and the demo users, each in its role at
    every lane (the board's supervisor too, by choice); its tokens, its key
    and each lane's roster."""
    from sync.hub.identity import HubIdentity
    from sync.hub.store import HubStore, LaneExists
    from sync.hub.users import HubUsers

    data_dir.mkdir(parents=True, exist_ok=True)
    tokens_file = data_dir / "demo-lane-tokens.json"
    tokens: dict[str, str] = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
    with HubStore(data_dir / "hub.sqlite3", DEMO_HUB) as store:
        for lane in DEMO_LANES:
            try:
                tokens[lane] = store.add_lane(lane)
            except LaneExists:
                pass
        tokens_file.write_text(json.dumps(tokens))
        users = HubUsers(store)
        for username, role, password in DEMO_USERS:
            try:
                users.add(username, role, password)
            except UserExists:
                pass
            users.scope(username, role, None)
        rosters = {lane: parse_roster({"users": users.roster(lane)}) for lane in DEMO_LANES}
        key = HubIdentity.of(store).public_text
    return tokens, key, rosters


class _Stopped(Exception):
    """SIGINT or SIGTERM came while the demo was starting."""


class Child:
    """One ``lanebox`` command run as a child process: its stdout read for the
    "serving on" line, its stderr (and any more output) in ``log``."""

    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name, self.log = name, log
        self.url = ""
        self._ready = threading.Event()
        self._log = log.open("a", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "lanebox", *args], stdout=subprocess.PIPE,
                                        stderr=self._log, stdin=subprocess.DEVNULL, text=True)
        self._pump_thread = threading.Thread(target=self._pump, args=(self.process.stdout,),
                                             name=f"demo-{name}-out", daemon=True)
        self._pump_thread.start()

    def _pump(self, stdout: IO[str]) -> None:
        for line in stdout:
            serving = SERVING.search(line)
            if serving and not self._ready.is_set():
                self.url = serving.group(1)
                self._ready.set()
            else:
                self._log.write(line)
                self._log.flush()

    def wait_ready(self, stop: threading.Event) -> str:
        """The child's URL once it serves; :class:`DemoError` if it ends (or
        takes too long) first, :class:`_Stopped` if ``stop`` is set meanwhile."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._ready.wait(0.1):
            if stop.is_set():
                raise _Stopped()
            if self.process.poll() is not None:
                raise DemoError(f"{self.name} did not start: {self._last_words()}")
            if time.monotonic() > deadline:
                raise DemoError(f"{self.name} did not start within {START_TIMEOUT_S:.0f} s; see {self.log}")
        return self.url

    def _last_words(self) -> str:
        self._pump_thread.join(5)
        lines = [line for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]
        return lines[-1] if lines else f"it ended with status {self.process.returncode} (see {self.log})"

    def ask_to_stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._pump_thread.join(5)
        self._log.close()


def run_demo(data_dir: Path, port: int, pace: float, echo: Callable[[str], None] = print) -> None:
    """Run the demo until SIGINT/SIGTERM; :class:`DemoError` if part of it cannot start or stops."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    simulators = {lane: start_lane_devices(pace) for lane in DEMO_LANES}
    camera_tokens = {lane: new_token() for lane in DEMO_LANES}
    children: list[Child] = []
    traffic: list[LaneTraffic] = []
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "logs").mkdir(exist_ok=True)

        def start(name: str, *args: str) -> str:
            children.append(Child(name, list(args), data_dir / "logs" / f"{name.split()[-1].lower()}.log"))
            return children[-1].wait_ready(stop)

        tokens, hub_key, rosters = prepare_demo_hub(data_dir / "hub")
        hub_config = write_toml(data_dir / "hub.toml", {"hub": {
            "id": DEMO_HUB, "host": "127.0.0.1", "port": 0 if port == 0 else DEMO_HUB_PORT, "data_dir": "hub"}},
            "lanebox hub --config hub.toml")
        board = start(f"hub {DEMO_HUB}", "hub", "--config", str(hub_config))
        urls = {}
        for index, lane in enumerate(DEMO_LANES):
            file = f"{lane.lower()}.toml"
            path = write_toml(data_dir / file, lane_config_table(
                lane, 0 if port == 0 else port + index, simulators[lane], "." if lane == DEMO_LANE else lane.lower(),
                (board, tokens[lane], hub_key), camera_tokens[lane]), f"lanebox serve --config {file}")
            prepare_demo_store(load_config(path), rosters[lane])
            urls[lane] = start(f"lane {lane}", "serve", "--config", str(path))
        url = urls[DEMO_LANE]
        traffic = start_traffic(urls, camera_tokens, simulators, pace)
        echo(f"lanebox demo: hub {DEMO_HUB} and lanes {', '.join(DEMO_LANES)} are running")
        echo(f"  control-room board {board}/board/  (sign in as super or viewer)")
        echo(f"  hub API            {board}/api/v1/  (OpenAPI: {board}/api/v1/openapi.json)")
        for lane_id in DEMO_LANES:
            echo(f"  lane {lane_id}  officer app {urls[lane_id]}/")
        echo(f"  API             {url}/api/v1/  (OpenAPI: {url}/api/v1/openapi.json)")
        echo(f"  health/metrics  {url}/healthz  {url}/metrics")
        echo(f"  data folder     {data_dir}  (configs, stores, logs/)")
        for lane_id in DEMO_LANES:
            echo(f"  simulated devices ({lane_id}):")
            for device_id, kind, driver in DEMO_DEVICES:
                echo(f"    {device_id:<10} {kind:<9} {driver:<14} {simulators[lane_id][device_id].path:<12} "
                     f"{device_role(device_id)}".rstrip())
            echo(f"    {DEMO_CAMERA:<10} {'camera':<9} {'generic':<14} "
                 f"POST {urls[lane_id]}/api/v1/cameras/{DEMO_CAMERA}/reads  (Bearer {camera_tokens[lane_id]})")
        echo("  traffic: lorries drive through each lane one after another: the portal monitor, the camera "
             "(plate, container), the weighbridge; each is a vehicle card on the lane screen")
        echo("  sign in as (demo passwords; the same at both lanes and the board):")
        for username, role, password in DEMO_USERS:
            echo(f"    {username:<8} / {password:<18} ({role})")
        echo("Press Ctrl-C to stop.")
        while not stop.wait(0.5):
            ended = next((child for child in children if child.process.poll() is not None), None)
            if ended is not None:
                raise DemoError(f"{ended.name} stopped (status {ended.process.returncode}); see {ended.log}")
    except _Stopped:
        pass  # stopped before it was all up: as clean a stop as after
    finally:
        for lane_traffic in traffic:  # first: no lorry drives on into a lane going down
            lane_traffic.stop()
        for child in children:  # all at once: each drains and closes its store
            child.ask_to_stop()
        for child in children:
            child.wait_stopped()
        for devices in simulators.values():
            for running in devices.values():
                running.stop()
