"""``lanebox devices`` and ``lanebox simulate``: the serial ports of this box,
and simulated devices for trying a lane without hardware."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from drivers.registry import DEFAULT_DRIVER, DRIVERS, KINDS
from lanebox.shell import EXIT_USAGE, CommandError, say_line, wait_for_signal


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


def add_commands(sub: Any) -> None:
    sim = sub.add_parser("simulate", help="run a device simulator on a pseudo-terminal or TCP port",
                         description="Start a device simulator. With --pty its /dev/pts/N path is the "
                                     "first line printed; it serves until killed. A reader reached over "
                                     "HTTP (regula-web) serves on 127.0.0.1 and prints its http:// URL.")
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
