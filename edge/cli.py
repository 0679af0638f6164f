"""``lanebox``: the one command installers, technicians and CI use.

Each subcommand is a thin shell around a module that does the work; every
expected failure (bad flag, bad config, unreachable port) ends as one line
on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn, Sequence, TypeVar

from drivers.registry import DEFAULT_DRIVER, DRIVERS, KINDS

if TYPE_CHECKING:
    from edge.config import LaneConfig

EXIT_USAGE = 2
T = TypeVar("T")


class CommandError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not a usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM — how long-running commands end cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(3600):
        pass


# ----- subcommands ---------------------------------------------------------
def cmd_simulate(args: argparse.Namespace) -> int:
    from drivers.simulators.runner import start_simulator

    driver = args.driver or DEFAULT_DRIVER[args.kind]
    if DRIVERS[driver].kind != args.kind:
        raise CommandError(f"driver {driver!r} is for a {DRIVERS[driver].kind}, not a {args.kind}", EXIT_USAGE)
    if not args.pty and args.tcp is None:
        raise CommandError("say where to serve: --pty or --tcp PORT", EXIT_USAGE)
    running = start_simulator(args.kind, driver, tcp_port=args.tcp, link=args.link,
                              demo=not args.no_demo, seed=args.seed, pace=args.pace)
    say_line(running.path)  # the first line: scripts read the path off it
    try:
        wait_for_signal()
    finally:
        running.stop()
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from drivers.port_list import list_serial_ports

    ports = list_serial_ports()
    if args.json:
        print(json.dumps(ports, indent=2))
        return 0
    if not ports:
        print("no serial ports found")
        return 0
    for port in ports:
        extras = [x for x in (port["description"], port["vid_pid"] and f"VID:PID {port['vid_pid']}",
                              port["serial_number"] and f"serial {port['serial_number']}") if x]
        print(port["open_with"] + (f"  ->  {port['device']}" if port["by_id"] else ""))
        if extras:
            print("    " + ", ".join(extras))
    return 0


def say_line(text: str) -> None:
    """Print one whole line in one write: log lines from other threads share
    the terminal (or a supervisor's pipe), and must never split it — scripts
    read the URL off the "serving on" line."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def config_or_exit(load: Callable[[Path], T], path: Path) -> T:
    """``load(path)``, a bad config becoming one line and exit 2."""
    from edge.config import ConfigError

    try:
        return load(path)
    except ConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def load_config_or_exit(path: Path) -> "LaneConfig":
    from edge.config import load_config

    return config_or_exit(load_config, path)


def cmd_serve(args: argparse.Namespace) -> int:
    from edge.serve import run_lane, setup_logging
    from edge.store import StoreError

    config = load_config_or_exit(args.config)
    setup_logging()
    try:
        run_lane(config, on_ready=lambda url: say_line(f"lanebox: lane {config.lane_id} serving on {url}"))
    except (OSError, StoreError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from edge.demo import run_demo
    from edge.serve import setup_logging
    from edge.store import StoreError

    setup_logging(logging.WARNING)
    try:
        run_demo(args.data_dir.resolve(), args.port, args.pace, echo=lambda line: print(line, flush=True))
    except (OSError, StoreError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from edge.store import StoreError, verify_file

    config = load_config_or_exit(args.config)
    path = config.data_dir / "lane.sqlite3"
    try:
        report = verify_file(path)  # read-only: safe beside a running server
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    if report.ok:
        print(f"chain ok: {report.checked} events verified ({path})")
        return 0
    print(f"chain BROKEN at seq {report.first_broken_seq}: {report.reason} "
          f"({report.checked} events checked, {path})")
    return 1


def cmd_users(args: argparse.Namespace) -> int:
    from edge.store import EventStore, StoreError
    from edge.users import UserDirectory, UserExists

    config = load_config_or_exit(args.config)
    try:
        with EventStore(config.data_dir / "lane.sqlite3", lane=config.lane_id) as store:
            users = UserDirectory(store)
            if args.users_command == "add":
                password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass()
                users.add(args.username, args.role, password, actor="cli")
                print(f"added {args.username} ({args.role})")
            elif args.users_command == "list":
                for user in users.list():
                    flag = " (disabled)" if user["disabled"] else ""
                    print(f"{user['username']:<24} {user['role']:<11}{flag}")
            else:
                if not any(u["username"] == args.username for u in users.list()):
                    raise CommandError(f"no user {args.username!r}")
                users.disable(args.username, actor="cli")
                print(f"disabled {args.username}")
    except UserExists:
        raise CommandError(f"user {args.username!r} exists already") from None
    except (ValueError, StoreError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    from edge.reference import ReferenceProblem, load_reference_file, store_reference
    from edge.store import EventStore, InvalidEvent, StoreError

    config = load_config_or_exit(args.config)
    try:
        reference = load_reference_file(args.data)
    except ReferenceProblem as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    try:
        with EventStore(config.data_dir / "lane.sqlite3", lane=config.lane_id) as store:
            stored = store_reference(store, reference, actor="cli")
    except (InvalidEvent, StoreError) as exc:
        raise CommandError(str(exc)) from None
    counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in reference.counts().items())
    print(f"{'loaded' if stored else 'already loaded'} reference data {reference.version} ({counts})")
    return 0


# ----- the parser ----------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from sync.cli import add_hub_commands  # here: sync.cli builds on this module

    parser = OneLineParser(prog="lanebox", description="Lane edge box for border-port vehicle lanes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True

    sim = sub.add_parser("simulate", help="run a device simulator on a pseudo-terminal or TCP port",
                         description="Start a device simulator. With --pty its /dev/pts/N path is the "
                                     "first line printed; it serves until killed.")
    sim.add_argument("kind", choices=KINDS)
    sim.add_argument("--driver", choices=sorted(DRIVERS), help="protocol to speak (default: the kind's usual one)")
    sim.add_argument("--pty", action="store_true", help="serve on a new pseudo-terminal")
    sim.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT instead (socket:// URL)")
    sim.add_argument("--link", type=Path, help="keep this symlink pointing at the pty (like /dev/serial/by-id)")
    sim.add_argument("--no-demo", action="store_true", help="do not run the demo script (idle device)")
    sim.add_argument("--seed", type=int, help="random seed for the demo script")
    sim.add_argument("--pace", type=float, default=1.0, help="demo speed factor: <1 is faster (default 1)")
    sim.set_defaults(func=cmd_simulate)

    dev = sub.add_parser("devices", help="list the machine's serial ports",
                         description="List serial ports: device, /dev/serial/by-id link, description, VID:PID.")
    dev.add_argument("--json", action="store_true", help="print JSON")
    dev.set_defaults(func=cmd_devices)

    serve = sub.add_parser("serve", help="run this lane's edge server",
                           description="Run one lane's edge server from its TOML config.")
    serve.add_argument("--config", type=Path, required=True, help="the lane's config file")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="run a demo lane with simulated devices (no config needed)",
                          description="Start a lane server with four simulated devices on pseudo-terminals "
                                      "and demo users; prints the URLs and logins. Ctrl-C stops it.")
    demo.add_argument("--data-dir", type=Path, default=Path("lanebox-demo"), help="where to keep the demo store")
    demo.add_argument("--port", type=int, default=8080, help="HTTP port on 127.0.0.1 (default 8080)")
    demo.add_argument("--pace", type=float, default=1.0, help="demo speed factor: <1 is faster")
    demo.set_defaults(func=cmd_demo)

    verify = sub.add_parser("verify", help="check the lane's event hash chain",
                            description="Walk the evidence log's hash chain. Exit 0 when whole, "
                                        "1 naming the first broken link.")
    verify.add_argument("--config", type=Path, required=True)
    verify.set_defaults(func=cmd_verify)

    users = sub.add_parser("users", help="add, list or disable the lane's users")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", parser_class=OneLineParser)
    users_sub.required = True
    add = users_sub.add_parser("add", help="add a user")
    add.add_argument("--config", type=Path, required=True)
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=("officer", "technician", "supervisor", "viewer"))
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    listing = users_sub.add_parser("list", help="list users")
    listing.add_argument("--config", type=Path, required=True)
    disable = users_sub.add_parser("disable", help="disable a user")
    disable.add_argument("--config", type=Path, required=True)
    disable.add_argument("--username", required=True)
    users.set_defaults(func=cmd_users)

    reference = sub.add_parser("reference", help="load reference data (declarations, watchlist, tariff, ...)")
    reference_sub = reference.add_subparsers(dest="reference_command", metavar="ACTION", parser_class=OneLineParser)
    reference_sub.required = True
    load = reference_sub.add_parser("load", help="check a reference JSON file and make it the lane's current data",
                                    description="Check DATA.json whole (docs/officer-api.md) and record it as the "
                                                "lane's reference data; a bad file changes nothing (exit 2).")
    load.add_argument("--config", type=Path, required=True)
    load.add_argument("data", type=Path, metavar="DATA.json")
    reference.set_defaults(func=cmd_reference)
    add_hub_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"lanebox {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    # run the importable module, not this __main__ copy, so that sync.cli's
    # CommandError is the very class main() catches
    from edge import cli

    sys.exit(cli.main())
