"""``lanebox erase`` and ``lanebox legal-hold``: a case's personal data erased, or held
from erasure, at the box itself (docs/evidence.md "Retention and erasure").

The same rules as ``POST /api/v1/erasures`` and ``/cases/{id}/legal-hold``
(edge.retention): a closed case only, never one under legal hold; each is one
event of the lane's log, named by the supervisor who ordered it, and synced to
the hub like any other. Safe beside the running lane (a second writer).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lanebox.commands.lane import load_lane_config
from lanebox.shell import CommandError


def _on_case(args: argparse.Namespace, act: Any) -> int:
    from common.eventlog.store import StoreError
    from edge.retention import ErasureRefused, case_of
    from edge.store import lane_store_path, open_lane_store

    config = load_lane_config(args.config)
    try:
        with open_lane_store(lane_store_path(config.data_dir), config.lane_id, create=False) as store:
            case_id = case_of(store, args.case)
            if case_id is None:
                raise CommandError(f"no case {args.case} at lane {config.lane_id}")
            print(act(store, case_id))
    except ErasureRefused as refused:
        raise CommandError(refused.message) from None
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from common.erasure import ORDERED
    from edge.retention import erase

    def act(store: Any, case_id: str) -> str:
        event = erase(store, case_id, ORDERED, args.reason, args.by)
        return (f"erased the personal data of case {case_id}: keys destroyed "
                f"({', '.join(event['payload']['keys_destroyed']) or 'none held'}), event {event['id']}")

    return _on_case(args, act)


def cmd_legal_hold(args: argparse.Namespace) -> int:
    from edge.retention import set_legal_hold

    def act(store: Any, case_id: str) -> str:
        event = set_legal_hold(store, case_id, args.action == "set", args.reason, args.by)
        return f"legal hold {'set on' if args.action == 'set' else 'lifted from'} case {case_id}, event {event['id']}"

    return _on_case(args, act)


def _case_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="the lane's config file")
    parser.add_argument("--case", required=True, help="the inspection's id (or one of its seizures')")
    parser.add_argument("--reason", required=True, help="why, in words (kept in the event; nothing personal)")
    parser.add_argument("--by", required=True, metavar="SUPERVISOR", help="who ordered it (kept as the actor)")


def add_commands(sub: Any) -> None:
    erase = sub.add_parser("erase", help="erase a closed case's personal data (its key is destroyed)",
                           description="Destroy the key a closed case's personal fields are sealed with: they "
                                       "become unreadable at the lane, and at the hub once synced; the events "
                                       "stay and the chain still verifies. Refused (exit 1) for an open case or "
                                       "one under legal hold.")
    _case_arguments(erase)
    erase.set_defaults(func=cmd_erase)

    hold = sub.add_parser("legal-hold", help="set or lift a case's legal hold (a held case is never erased)",
                          description="While a case is under legal hold, neither an erasure order nor the "
                                      "retention job erases it.")
    hold.add_argument("action", choices=("set", "lift"))
    _case_arguments(hold)
    hold.set_defaults(func=cmd_legal_hold)
