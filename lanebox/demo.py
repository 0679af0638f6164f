"""``lanebox demo``: a port in miniature on one machine, nothing to configure.

A port hub and two lanes, each lane with four simulated devices on
pseudo-terminals running their demo scripts (a lorry driving onto the scale,
scans, passports, swabs), demo reference data (``demo_reference.json``) and
demo users whose passwords are printed. The lanes sync to the hub, which
serves the control-room board. Everything keeps its store under one folder
(./lanebox-demo or the one named) and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from werkzeug.serving import make_server

from common.accounts.sessions import UserExists
from common.eventlog.store import EventStore
from common.reference import latest_reference_event, load_reference_file, store_reference
from drivers.simulators.runner import RunningSimulator, start_simulator
from edge.config import LaneConfig, parse_config
from edge.server import LaneServer, run_lane
from edge.store import lane_store_path, open_lane_store
from edge.users import UserDirectory
from sync.roster import RosterUser, parse_roster

DEMO_LANE = "DEMO-IN-01"
DEMO_LANES = (DEMO_LANE, "DEMO-IN-02")
DEMO_HUB = "DEMO-HUB"
DEMO_HUB_PORT = 9090
DEMO_USERS = (  # username, role, password — demo only, printed at start
    ("officer", "officer", "officer-demo"),
    ("tech", "technician", "tech-demo"),
    ("super", "supervisor", "super-demo"),
    ("viewer", "viewer", "viewer-demo"),
)
DEMO_REFERENCE = resources.files("lanebox") / "demo_reference.json"
DEMO_DEVICES = (("scale-1", "scale", "mt-sics"), ("barcode-1", "barcode", "aim-barcode"),
                ("document-1", "document", "mrz-reader"), ("trace-1", "trace", "etd-ascii"))

Simulators = dict[str, RunningSimulator]


def demo_config(data_dir: Path, port: int, simulators: Simulators, lane: str = DEMO_LANE,
                upstream: tuple[str, str] | None = None) -> LaneConfig:
    raw: dict[str, Any] = {
        "lane": {"id": lane, "name": f"Demo inbound lane {lane[-1]}"},
        "server": {"host": "127.0.0.1", "port": port, "data_dir": str(data_dir)},
        "devices": [{"id": device_id, "kind": kind, "driver": driver, "port": simulators[device_id].path}
                    for device_id, kind, driver in DEMO_DEVICES],
    }
    if upstream:
        raw["upstream"] = {"url": upstream[0], "token": upstream[1]}
    return parse_config(raw, source="lanebox demo")


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


class Background:
    """A WSGI app on 127.0.0.1 served from a thread, for the demo's hub and
    second lane (the first lane runs in the foreground until Ctrl-C)."""

    def __init__(self, app: Any, port: int) -> None:
        self._http = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


class DemoHub:
    """The demo's hub: its store, demo users, the lanes registered (their
    tokens kept beside the store, as only hashes are in it), served."""

    def __init__(self, data_dir: Path, port: int) -> None:
        from sync.hub.app import Hub
        from sync.hub.store import HubStore, LaneExists
        from sync.hub.users import HubUsers

        data_dir.mkdir(parents=True, exist_ok=True)
        self.store = HubStore(data_dir / "hub.sqlite3", DEMO_HUB).start()
        tokens_file = data_dir / "demo-lane-tokens.json"
        self.tokens: dict[str, str] = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
        for lane in DEMO_LANES:
            try:
                self.tokens[lane] = self.store.add_lane(lane)
            except LaneExists:
                pass
        tokens_file.write_text(json.dumps(self.tokens))
        users = HubUsers(self.store)
        for username, role, password in DEMO_USERS:
            try:
                users.add(username, role, password)
            except UserExists:
                pass
        self.hub = Hub(self.store, users=users).start()
        self.server = Background(self.hub.app, port)

    def close(self) -> None:
        self.server.close()
        self.hub.stop()
        self.store.close()


def run_demo(data_dir: Path, port: int, pace: float, echo: Callable[[str], None] = print) -> None:
    simulators = {lane: {device_id: start_simulator(kind, driver, pace=pace)
                         for device_id, kind, driver in DEMO_DEVICES} for lane in DEMO_LANES}
    hub: DemoHub | None = None
    second: tuple[LaneServer, Background] | None = None
    try:
        hub = DemoHub(data_dir / "hub", 0 if port == 0 else DEMO_HUB_PORT)
        configs = [demo_config(data_dir if lane == DEMO_LANE else data_dir / lane.lower(),
                               port if lane == DEMO_LANE or port == 0 else port + 1,
                               simulators[lane], lane, (hub.server.url, hub.tokens[lane]))
                   for lane in DEMO_LANES]
        roster = parse_roster({"users": hub.hub.users.roster()})
        for config in configs:
            prepare_demo_store(config, roster)
        server = LaneServer(configs[1])
        server.start()
        second = (server, Background(server.app, configs[1].port))

        def ready(url: str) -> None:
            board = hub.server.url if hub else ""
            echo(f"lanebox demo: hub {DEMO_HUB} and lanes {', '.join(DEMO_LANES)} are running")
            echo(f"  control-room board {board}/board/  (sign in as super or viewer)")
            echo(f"  hub API            {board}/api/v1/  (OpenAPI: {board}/api/v1/openapi.json)")
            for lane_id, lane_url in ((DEMO_LANE, url), (DEMO_LANES[1], second[1].url if second else "")):
                echo(f"  lane {lane_id}  officer app {lane_url}/")
            echo(f"  API             {url}/api/v1/  (OpenAPI: {url}/api/v1/openapi.json)")
            echo(f"  health/metrics  {url}/healthz  {url}/metrics")
            echo(f"  data folder     {data_dir}")
            for lane_id in DEMO_LANES:
                echo(f"  simulated devices ({lane_id}):")
                for device_id, kind, driver in DEMO_DEVICES:
                    echo(f"    {device_id:<11} {kind:<9} {driver:<12} "
                         f"{simulators[lane_id][device_id].path}")
            echo("  sign in as (demo passwords; the same at both lanes and the board):")
            for username, role, password in DEMO_USERS:
                echo(f"    {username:<8} / {password:<13} ({role})")
            echo("Press Ctrl-C to stop.")

        run_lane(configs[0], on_ready=ready)
    finally:
        if second is not None:
            second[1].close()
            second[0].stop()
        if hub is not None:
            hub.close()
        for devices in simulators.values():
            for running in devices.values():
                running.stop()
