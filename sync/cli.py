"""``lanebox hub``: run the port hub, and register lanes with it.

:func:`add_hub_commands` plugs the subcommand into ``lanebox``'s parser
(:mod:`edge.cli`); expected failures are :class:`edge.cli.CommandError`
lines, exit 2 for a bad config, as for every other subcommand.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from edge.cli import EXIT_USAGE, CommandError, config_or_exit, say_line
from sync.config import HubConfig, default_config, load_hub_config


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return int(text)


def _load(path: Path | None) -> HubConfig:
    return default_config() if path is None else config_or_exit(load_hub_config, path)


def cmd_hub(args: argparse.Namespace) -> int:
    from edge.serve import setup_logging
    from sync.hub import run_hub
    from sync.hub_store import StoreError

    config = _load(args.config)
    if args.port is not None:  # several workers share one config file, each on its port
        config = dataclasses.replace(config, port=args.port)
    setup_logging()
    try:
        run_hub(config, on_ready=lambda url: say_line(
            f"lanebox: hub {config.hub_id} serving on {url}"))
    except (OSError, StoreError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_add_lane(args: argparse.Namespace) -> int:
    from sync.hub_store import HubStore, LaneExists, StoreError

    config = _load(args.config)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            token = store.add_lane(args.lane)
    except (LaneExists, StoreError) as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    print(f"lane {args.lane} registered at hub {config.hub_id}. Its sync token, shown only "
          f"this once, goes in the lane config's [upstream] token:")
    print(token)
    return 0


def cmd_hub_reference(args: argparse.Namespace) -> int:
    """Check a reference file with the lane's own rules, then publish it to the lanes."""
    from edge.reference import ReferenceProblem, load_reference_file
    from sync.hub_store import HubStore, ReferenceConflict, StoreError

    config = _load(args.config)
    try:
        reference = load_reference_file(args.data)
    except ReferenceProblem as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            stored = store.load_reference(reference.data)
    except (ReferenceConflict, StoreError) as exc:
        raise CommandError(str(exc)) from None
    print(f"{'loaded' if stored else 'already current:'} reference data {reference.version} "
          f"at hub {config.hub_id}; each lane takes it at its next pull ([upstream] "
          f"pull_interval_s, 30 s by default)")
    return 0


def cmd_hub_users_add(args: argparse.Namespace) -> int:
    """Add a hub user; the password comes from stdin, never the command line."""
    from sync.hub_store import HubStore, StoreError
    from sync.hub_users import HubUsers, UserExists

    config = _load(args.config)
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            HubUsers(store).add(args.username, args.role, password)
    except (UserExists, StoreError) as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    print(f"hub user {args.username} ({args.role}) added at hub {config.hub_id}")
    return 0


def cmd_hub_users_list(args: argparse.Namespace) -> int:
    from sync.hub_store import HubStore, StoreError
    from sync.hub_users import HubUsers

    config = _load(args.config)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            rows = HubUsers(store).list()
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    for row in rows:
        print(f"{row['username']:<24} {row['role']:<11} "
              f"{'disabled' if row['disabled'] else 'enabled':<9} {row['created_at']}")
    return 0


def cmd_hub_users_disable(args: argparse.Namespace) -> int:
    """Disable a hub user: its board sessions end now, and every lane disables
    it at its next roster pull."""
    from sync.hub_store import HubStore, StoreError
    from sync.hub_users import HubUsers, UnknownUser

    config = _load(args.config)
    try:
        with HubStore(config.store_location, config.hub_id) as store:
            changed = HubUsers(store).disable(args.username)
    except (UnknownUser, StoreError) as exc:
        raise CommandError(str(exc)) from None
    print(f"hub user {args.username} {'disabled' if changed else 'was already disabled'} at hub "
          f"{config.hub_id}; lanes disable it at their next roster pull")
    return 0


def _add_users_commands(actions: Any, parser_class: Any) -> None:
    from edge.users import ROLES

    users = actions.add_parser(
        "users", help="manage the hub's users (the board, and the roster lanes receive)",
        description="Hub users sign in to the control-room board (viewer, supervisor) and are "
                    "sent to every lane, so officers can sign in at any lane.")
    user_actions = users.add_subparsers(dest="users_command", metavar="ACTION",
                                        parser_class=parser_class)
    user_actions.required = True
    add = user_actions.add_parser("add", help="add a user; the password is read from stdin",
                                  description="Add a hub user. Roles: " + ", ".join(ROLES) +
                                              " (the board takes viewer and supervisor).")
    add.add_argument("--config", type=Path, required=True, help="the hub's config file")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from the first line of stdin")
    add.set_defaults(func=cmd_hub_users_add)
    disable = user_actions.add_parser(
        "disable", help="disable a user at the hub and, by the roster, at every lane",
        description="Disable a hub user: board sessions end at once; lanes disable the user "
                    "(ending its sessions there) at their next roster pull.")
    disable.add_argument("--config", type=Path, required=True, help="the hub's config file")
    disable.add_argument("--username", required=True)
    disable.set_defaults(func=cmd_hub_users_disable)
    listing = user_actions.add_parser("list", help="list the hub's users (never a hash)")
    listing.add_argument("--config", type=Path, required=True, help="the hub's config file")
    listing.set_defaults(func=cmd_hub_users_list)


def add_hub_commands(subparsers: Any) -> None:
    """Add ``hub`` (serve) and ``hub add-lane`` to ``lanebox``'s subparsers."""
    hub = subparsers.add_parser(
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
    _add_users_commands(actions, type(hub))
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
