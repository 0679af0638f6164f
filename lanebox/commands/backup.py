"""``lanebox verify``: keeping the evidence store provably whole."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from common.eventlog.store import StoreError
from lanebox.commands.lane import load_lane_config
from lanebox.shell import CommandError


def cmd_verify(args: argparse.Namespace) -> int:
    from common.eventlog.store import verify_file
    from edge.store import lane_store_path

    config = load_lane_config(args.config)
    path = lane_store_path(config.data_dir)
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


def add_commands(sub: Any) -> None:
    verify = sub.add_parser("verify", help="check the lane's event hash chain",
                            description="Walk the evidence log's hash chain. Exit 0 when whole, "
                                        "1 naming the first broken link.")
    verify.add_argument("--config", type=Path, required=True)
    verify.set_defaults(func=cmd_verify)
