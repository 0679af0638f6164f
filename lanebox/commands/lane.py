"""``lanebox serve`` and ``lanebox reference load``: one lane, from its config."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from common.eventlog.store import StoreError
from edge.config import LaneConfig, load_config
from lanebox.shell import CommandError, config_or_exit, reference_file_or_exit, say_line


def load_lane_config(path: Path) -> LaneConfig:
    """The lane's config, or one line and exit 2."""
    return config_or_exit(load_config, path)


def cmd_serve(args: argparse.Namespace) -> int:
    from common.logs import setup_logging
    from common.web.server import ServerError, Service, serve

    config = load_lane_config(args.config)
    setup_logging()

    def start() -> Service:
        from edge.server import lane_service  # in the worker: the master stays small (docs/server.md)

        return lane_service(config)

    try:
        serve(start, config.host, config.port, f"lane {config.lane_id}", role="lane", lane=config.lane_id,
              tls=config.tls, limits=config.limits, fails=(StoreError,),
              on_ready=lambda url: say_line(f"lanebox: lane {config.lane_id} serving on {url}"))
    except ServerError as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    from common.eventlog.store import InvalidEvent
    from common.reference import store_reference
    from edge.store import lane_store_path, open_lane_store

    config = load_lane_config(args.config)
    reference = reference_file_or_exit(args.data)
    try:
        with open_lane_store(lane_store_path(config.data_dir), config.lane_id) as store:
            stored = store_reference(store, reference, actor="cli")
    except (InvalidEvent, StoreError) as exc:
        raise CommandError(str(exc)) from None
    counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in reference.counts().items())
    print(f"{'loaded' if stored else 'already loaded'} reference data {reference.version} ({counts})")
    return 0


def add_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run this lane's edge server",
                           description="Run one lane's edge server from its TOML config.")
    serve.add_argument("--config", type=Path, required=True, help="the lane's config file")
    serve.set_defaults(func=cmd_serve)

    reference = sub.add_parser("reference", help="load reference data (declarations, watchlist, tariff, ...)")
    reference_sub = reference.add_subparsers(dest="reference_command", metavar="ACTION", parser_class=type(reference))
    reference_sub.required = True
    load = reference_sub.add_parser("load", help="check a reference JSON file and make it the lane's current data",
                                    description="Check DATA.json whole (docs/reference-data.md) and record it as "
                                                "the lane's reference data; a bad file changes nothing (exit 2).")
    load.add_argument("--config", type=Path, required=True)
    load.add_argument("data", type=Path, metavar="DATA.json")
    reference.set_defaults(func=cmd_reference)
