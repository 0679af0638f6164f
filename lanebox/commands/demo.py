"""``lanebox demo``: a hub and two lanes with simulated devices, nothing to configure."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from common.eventlog.store import StoreError
from lanebox.shell import CommandError


def cmd_demo(args: argparse.Namespace) -> int:
    from common.logs import setup_logging
    from lanebox.demo import DemoError, run_demo

    setup_logging(logging.WARNING)
    try:
        run_demo(args.data_dir.resolve(), args.port, args.pace, echo=lambda line: print(line, flush=True))
    except (OSError, StoreError, DemoError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def add_commands(sub: Any) -> None:
    demo = sub.add_parser("demo", help="run a demo hub and two lanes with simulated devices (no config needed)",
                          description="Start a port hub and two lane servers, each with six simulated devices "
                                      "on pseudo-terminals (a radiation portal monitor and a bench scale among "
                                      "them) and a camera, lorries driving through, and demo users; prints the "
                                      "URLs and logins. Ctrl-C stops it.")
    demo.add_argument("--data-dir", type=Path, default=Path("lanebox-demo"), help="where to keep the demo stores")
    demo.add_argument("--port", type=int, default=8080, help="HTTP port of the first lane on 127.0.0.1 "
                                                             "(default 8080; the second lane takes the next)")
    demo.add_argument("--pace", type=float, default=1.0, help="demo speed factor: <1 is faster")
    demo.set_defaults(func=cmd_demo)
