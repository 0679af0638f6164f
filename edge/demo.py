"""``lanebox demo``: a whole lane on one machine, nothing to configure.

Four simulated devices on pseudo-terminals, each running its demo script
(a lorry driving onto the scale, scans, passports, swabs), a lane server
with its store in ./lanebox-demo (or a folder you name), demo reference
data (declarations, watchlist, tariff: ``demo_reference.json``) and demo
users whose passwords are printed — on 127.0.0.1 only, so nobody else sees it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from drivers.simulators.runner import RunningSimulator, start_simulator
from edge.config import LaneConfig, parse_config
from edge.reference import latest_reference_event, load_reference_file, store_reference
from edge.serve import run_lane
from edge.store import EventStore
from edge.users import UserDirectory, UserExists

DEMO_LANE = "DEMO-IN-01"
DEMO_USERS = (  # username, role, password — demo only, printed at start
    ("officer", "officer", "officer-demo"),
    ("tech", "technician", "tech-demo"),
    ("super", "supervisor", "super-demo"),
    ("viewer", "viewer", "viewer-demo"),
)
DEMO_REFERENCE = Path(__file__).with_name("demo_reference.json")
DEMO_DEVICES = (("scale-1", "scale", "mt-sics"), ("barcode-1", "barcode", "aim-barcode"),
                ("document-1", "document", "mrz-reader"), ("trace-1", "trace", "etd-ascii"))


def demo_config(data_dir: Path, port: int, simulators: dict[str, RunningSimulator]) -> LaneConfig:
    return parse_config({
        "lane": {"id": DEMO_LANE, "name": "Demo inbound lane 1"},
        "server": {"host": "127.0.0.1", "port": port, "data_dir": str(data_dir)},
        "devices": [{"id": device_id, "kind": kind, "driver": driver, "port": simulators[device_id].path}
                    for device_id, kind, driver in DEMO_DEVICES],
    }, source="lanebox demo")


def prepare_demo_store(config: LaneConfig) -> None:
    """The demo users and reference data, in a new store or an earlier demo's."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with EventStore(config.data_dir / "lane.sqlite3", lane=config.lane_id) as store:
        users = UserDirectory(store)
        for username, role, password in DEMO_USERS:
            try:
                users.add(username, role, password, actor="lanebox-demo")
            except UserExists:
                pass
        ensure_demo_reference(store)


def ensure_demo_reference(store: EventStore) -> None:
    """Load the demo reference data unless the store has some: data loaded
    since (``lanebox reference load``) is kept across demo restarts."""
    if latest_reference_event(store) is None:
        store_reference(store, load_reference_file(DEMO_REFERENCE), actor="lanebox-demo")


def run_demo(data_dir: Path, port: int, pace: float, echo: Callable[[str], None] = print) -> None:
    simulators = {device_id: start_simulator(kind, driver, pace=pace) for device_id, kind, driver in DEMO_DEVICES}
    try:
        config = demo_config(data_dir, port, simulators)
        prepare_demo_store(config)

        def ready(url: str) -> None:
            echo(f"lanebox demo: lane {DEMO_LANE} is running")
            echo(f"  officer app     {url}/")
            echo(f"  API             {url}/api/v1/  (OpenAPI: {url}/api/v1/openapi.json)")
            echo(f"  health/metrics  {url}/healthz  {url}/metrics")
            echo(f"  data folder     {config.data_dir}")
            echo("  simulated devices:")
            for device_id, kind, driver in DEMO_DEVICES:
                echo(f"    {device_id:<11} {kind:<9} {driver:<12} {simulators[device_id].path}")
            echo("  sign in as (demo passwords):")
            for username, role, password in DEMO_USERS:
                echo(f"    {username:<8} / {password:<13} ({role})")
            echo("Press Ctrl-C to stop.")

        run_lane(config, on_ready=ready)
    finally:
        for running in simulators.values():
            running.stop()
