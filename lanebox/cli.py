"""``lanebox``: the one command installers, technicians and CI use.

Each subcommand (:mod:`lanebox.commands`) is a thin shell around a module
that does the work; every expected failure (bad flag, bad config,
unreachable port) ends as one line on stderr and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from lanebox.commands import backup, bundle, cameras, demo, devices, erasure, hub, labels, lane, users
from lanebox.shell import CommandError, OneLineParser


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="lanebox", description="Lane edge box for border-port vehicle lanes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for commands in (devices, lane, backup, erasure, demo, users, hub, cameras, labels, bundle):
        commands.add_commands(sub)
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
