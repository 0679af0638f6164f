"""``lanebox label-key`` and ``lanebox verify-label``: the lane's label key, and checking a label.

``verify-label`` needs no lanebox data at all — only the label's text (as a
scanner types it) and the port's lane keys (the JSON a lane's ``GET
/api/v1/lane/keys`` or the hub's ``GET /api/v1/hub/lane-keys`` serves, or
one key given by hand) — so a lab, a court or the defence can run it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lanebox.shell import EXIT_USAGE, CommandError

EXIT_REFUSED = 1


def cmd_label_key(args: argparse.Namespace) -> int:
    from common.eventlog.store import StoreError
    from edge.labels.keys import open_signer
    from edge.store import lane_store_path, open_lane_store
    from lanebox.commands.lane import load_lane_config

    config = load_lane_config(args.config)
    try:
        with open_lane_store(lane_store_path(config.data_dir), config.lane_id) as store:
            signer = open_signer(config.data_dir, store, config.lane_id)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    print(signer.public_text)
    print(f"lane {signer.lane}, key id {signer.kid}; {len(signer.keys)} key(s) recorded since "
          f"{signer.keys[0].since}", file=sys.stderr)
    return 0


def cmd_verify_label(args: argparse.Namespace) -> int:
    from sync.labels import LabelRefused, LaneKey, read_label, verify_label

    if not args.keys and not args.key:
        raise CommandError("say which keys to check against: --keys FILE or --key ed25519:...", EXIT_USAGE)
    text = sys.stdin.read() if args.label == "-" else args.label
    try:
        keys = _keys_file(args.keys) if args.keys else []
        if args.key:
            lane = args.lane or read_label(text)["lane"]
            keys.append(LaneKey(lane, args.key))
        payload = verify_label(text, keys)
    except LabelRefused as exc:
        raise CommandError(f"NOT VALID ({exc.code}): {exc} — do not accept this label", EXIT_REFUSED) from None
    print(f"SIGNATURE VALID: signed by lane {payload['lane']} (key {payload['kid']})")
    for name, value in account(payload):
        print(f"  {name:<8} {value}")
    return 0


def account(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """What a verified label says, line by line, in words."""
    if payload["kg"] is None:
        weight = "not weighed at sealing"
    else:
        standing = ("calibration due or failed then" if payload["cal_due"] else "in calibration"
                    if payload["cal_due"] is False else "calibration not known")
        record = f", calibration record {payload['cal']}" if payload["cal"] else ""
        weight = f"{payload['kg']} kg gross on {payload['scale']} ({standing}{record})"
    return [("bag", payload["bag"]), ("seal", payload["seal"] or "no seal number recorded"), ("weight", weight),
            ("sealed", payload["at"]), ("lane", payload["lane"]),
            ("chain", f"sealed by event seq {payload['seq']}, hash {payload['hash']}")]


def _keys_file(path: Path) -> list[Any]:
    from sync.labels import parse_keys

    try:
        return parse_keys(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}", EXIT_USAGE) from None
    except ValueError as exc:  # JSON that does not parse, or not a keys document
        raise CommandError(f"{path}: {exc}", EXIT_USAGE) from None


def _public_key(text: str) -> str:
    from sync.identity import parse_key

    try:
        parse_key(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--key {exc}") from None
    return text


def add_commands(sub: Any) -> None:
    key = sub.add_parser("label-key", help="print this lane's public label-signing key (made if missing)",
                         description="Print the public key this lane signs evidence labels with "
                                     "(ed25519:...), making the key and recording lane.key_created if "
                                     "the lane has none yet.")
    key.add_argument("--config", type=Path, required=True, help="the lane's config file")
    key.set_defaults(func=cmd_label_key)

    verify = sub.add_parser("verify-label", help="check an evidence bag's signed label (needs no lanebox data)",
                            description="Check the text of a bag's QR label (LBX1....) against the port's lane "
                                        "keys. Exit 0 and what the label says when a lane's key signed it; exit 1 "
                                        "and why when it is forged, altered or signed by an unknown key.")
    verify.add_argument("label", metavar="LABEL", help="the label's text as scanned, or - to read it from stdin")
    verify.add_argument("--keys", type=Path, help="a lane-keys JSON file (GET /api/v1/hub/lane-keys or "
                                                  "GET /api/v1/lane/keys)")
    verify.add_argument("--key", type=_public_key, help="one lane's public key, ed25519:...")
    verify.add_argument("--lane", help="the lane --key belongs to (default: the lane the label names)")
    verify.set_defaults(func=cmd_verify_label)
