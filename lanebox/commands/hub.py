"""``lanebox hub``: run the port hub, register lanes with it, publish reference
data, manage its users (:mod:`lanebox.commands.users`)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from common.eventlog.store import StoreError
from common.roles import ROLES
from lanebox.commands.hub_backup import add_hub_backup
from lanebox.commands.users import add_users_parser, hub_accounts
from lanebox.shell import EXIT_USAGE, CommandError, config_or_exit, reference_file_or_exit, say_line
from sync.hub.config import HubConfig, default_config, load_hub_config


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return int(text)


def load_hub(path: Path | None) -> HubConfig:
    """The hub's config (the defaults without a file), or one line and exit 2."""
    return default_config() if path is None else config_or_exit(load_hub_config, path)


def cmd_hub(args: argparse.Namespace) -> int:
    from common.logs import setup_logging
    from common.web.server import ServerError, Service, serve

    config = load_hub(args.config)
    if args.port is not None:  # several workers share one config file, each on its port
        config = dataclasses.replace(config, port=args.port)
    setup_logging()

    def start() -> Service:
        from sync.hub.app import hub_service  # in the worker: the master stays small (docs/server.md)

        return hub_service(config)

    try:
        serve(start, config.host, config.port, f"hub {config.hub_id}", role="hub", tls=config.tls,
              limits=config.limits, fails=(StoreError,),
              on_ready=lambda url: say_line(f"lanebox: hub {config.hub_id} serving on {url}"))
    except ServerError as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_add_lane(args: argparse.Namespace) -> int:
    from sync.hub.identity import HubIdentity
    from sync.hub.store import HubStore, LaneExists

    config = load_hub(args.config)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            token = store.add_lane(args.lane)
            key = HubIdentity.of(store).public_text
    except (LaneExists, StoreError) as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    print(f"lane {args.lane} registered at hub {config.hub_id}. The hub's key goes in the lane "
          f"config's [upstream] hub_key (the lane sends its token only to a hub that proves it holds it):")
    print(key)
    print("Its sync token, shown only this once, goes in [upstream] token:")
    print(token)
    return 0


def cmd_hub_key(args: argparse.Namespace) -> int:
    """Print the hub's public key, for lanes to pin as ``[upstream] hub_key``."""
    from sync.hub.identity import HubIdentity
    from sync.hub.store import HubStore

    config = load_hub(args.config)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            print(HubIdentity.of(store).public_text)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    return 0


def _lanes(text: str) -> list[str] | None:
    return None if text == "all" else [lane.strip() for lane in text.split(",") if lane.strip()]


def cmd_hub_scope(args: argparse.Namespace) -> int:
    """Show every hub user's lane scope, or set one user's."""
    from common.accounts.sessions import UnknownUser
    from sync.hub.store import HubStore
    from sync.hub.users import HubUsers

    if args.username is not None and args.lane_role is None:
        raise CommandError("--lane-role is required with --username (a role, or none)", EXIT_USAGE)
    config = load_hub(args.config)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            users = HubUsers(store)
            if args.username is None:
                for user in users.list():
                    lanes = "every lane" if user["lanes"] is None else ", ".join(user["lanes"])
                    at = f"{user['lane_role']} at {lanes}" if user["lane_role"] else "at no lane"
                    print(f"{user['username']:<24} {user['role']:<11} {at}")
                return 0
            lane_role = None if args.lane_role == "none" else args.lane_role
            users.scope(args.username, lane_role, _lanes(args.lanes))
    except (StoreError, UnknownUser) as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    where = "at no lane" if lane_role is None else f"{lane_role} at {args.lanes.replace(',', ', ')}"
    print(f"{args.username} is now {where}; lanes follow at their next roster pull")
    return 0


def cmd_hub_reference(args: argparse.Namespace) -> int:
    """Check a reference file with the lane's own rules, then publish it to the lanes."""
    from sync.hub.store import HubStore, ReferenceConflict

    config = load_hub(args.config)
    reference = reference_file_or_exit(args.data)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            stored = store.load_reference(reference.data)
    except (ReferenceConflict, StoreError) as exc:
        raise CommandError(str(exc)) from None
    print(f"{'loaded' if stored else 'already current:'} reference data {reference.version} "
          f"at hub {config.hub_id}; each lane takes it at its next pull ([upstream] "
          f"pull_interval_s, 30 s by default)")
    return 0


def add_commands(sub: Any) -> None:
    """``hub`` (serve) and its actions."""
    hub = sub.add_parser(
        "hub", help="run the port hub that lanes sync their event logs to",
        description="Run the port hub until Ctrl-C. Without --config it keeps its store in "
                    "./lanebox-hub and listens on 127.0.0.1:9090.")
    hub.add_argument("--config", type=Path, help="the hub's config file")
    hub.add_argument("--port", type=_port, help="listen on this port instead of [hub] port "
                                                "(one per worker behind nginx, docs/hub-scale.md)")
    hub.set_defaults(func=cmd_hub)
    actions = hub.add_subparsers(dest="hub_command", metavar="[ACTION]", parser_class=type(hub))
    add = actions.add_parser(
        "add-lane", help="register a lane and print its sync token",
        description="Register a lane with the hub. Its sync token is printed once, on the "
                    "last line; the hub keeps only its hash.")
    add.add_argument("--config", type=Path, required=True, help="the hub's config file")
    add.add_argument("--lane", required=True, help="the lane's id, as in its [lane] id")
    add.set_defaults(func=cmd_add_lane)
    key = actions.add_parser(
        "key", help="print the hub's key, for a lane's [upstream] hub_key",
        description="Print the hub's public Ed25519 key. A lane pins it as [upstream] hub_key and sends "
                    "its token only to a hub that proves it holds the private half.")
    key.add_argument("--config", type=Path, required=True, help="the hub's config file")
    key.set_defaults(func=cmd_hub_key)
    add_users_parser(actions, hub_accounts, whose="the hub's",
                     description="Hub users sign in to the control-room board (viewer, supervisor); those "
                                 "with a lane role are sent to the lanes in their scope (`lanebox hub scope`). "
                                 "Officers and technicians start with their role at every lane, board users "
                                 "at no lane. Disabled at the hub, a user is disabled at every lane at its "
                                 "next roster pull.")
    scope = actions.add_parser(
        "scope", help="show or set where hub users count at the lanes",
        description="Without --username, list every hub user's lane scope. With it, set the role the "
                    "user has at lanes (none: it is sent to no lane) and at which lanes. A board "
                    "supervisor is a lane supervisor only if given that lane role here.")
    scope.add_argument("--config", type=Path, required=True, help="the hub's config file")
    scope.add_argument("--username", help="the user whose scope to set")
    scope.add_argument("--lane-role", choices=(*ROLES, "none"),
                       help="the user's role at lanes, or none (required with --username)")
    scope.add_argument("--lanes", default="all", help="all (the default) or lane ids, comma-separated")
    scope.set_defaults(func=cmd_hub_scope)
    reference = actions.add_parser(
        "reference", help="publish reference data to the lanes",
        description="Manage the reference data lanes pull from the hub.")
    reference_actions = reference.add_subparsers(dest="reference_command", metavar="ACTION",
                                                 parser_class=type(hub))
    reference_actions.required = True
    load = reference_actions.add_parser(
        "load", help="check a reference JSON file and make it the hub's current data",
        description="Check DATA (the same rules as `lanebox reference load`) and make it the "
                    "reference data every lane pulls; a bad file changes nothing (exit 2).")
    load.add_argument("--config", type=Path, required=True, help="the hub's config file")
    load.add_argument("data", type=Path, help="the reference JSON file")
    load.set_defaults(func=cmd_hub_reference)
    add_hub_backup(actions)  # `hub backup` lives in lanebox/commands/hub_backup.py
