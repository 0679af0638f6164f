"""``lanebox``: the one command installers, technicians and CI use.

Each subcommand is a thin shell around a module that does the work; every
expected failure (bad flag, bad config, unreachable port) ends as one line
on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn, Sequence

from drivers.registry import DEFAULT_DRIVER, DRIVERS, KINDS

EXIT_USAGE = 2


class CommandError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
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
    print(running.path, flush=True)
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


# ----- the parser ----------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lanebox", description="Lane edge box for border-port vehicle lanes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
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
    sys.exit(main())
