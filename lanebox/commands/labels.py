"""``lanebox label-key`` and ``lanebox verify-label``: the lane's label key, and checking a label.

``verify-label`` needs no lanebox data at all — only the label's text (as a
scanner types it) and the port's lane keys (the JSON a lane's ``GET
/api/v1/lane/keys`` or the hub's ``GET /api/v1/hub/lane-keys`` serves, the
hub's signed document from ``GET /api/v1/hub/lane-keys/signed``, or one key
given by hand) — so a lab, a court or the defence can run it. A label is
only as good as the keys it is checked against, so the command says where
its keys came from: the signed document's hub signature is checked when
``--hub-key`` names the hub's key (as ``lanebox hub key`` prints it), and
the answer says plainly when it was not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lanebox.shell import EXIT_USAGE, CommandError

EXIT_REFUSED = 1
SIGNED_DOCUMENT = "/api/v1/hub/lane-keys/signed"


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
    keys, provenance = _keys_file(args.keys, args.hub_key) if args.keys else ([], "")
    try:
        if args.key:
            lane = args.lane or read_label(text)["lane"]
            keys.append(LaneKey(lane, args.key))
            provenance = "; ".join(filter(None, (provenance, "one given by hand (--key)")))
        payload = verify_label(text, keys)
    except LabelRefused as exc:
        raise CommandError(f"NOT VALID ({exc.code}): {exc} — do not accept this label", EXIT_REFUSED) from None
    print(f"SIGNATURE VALID: signed by lane {payload['lane']} (key {payload['kid']})")
    for name, value in account(payload):
        print(f"  {name:<8} {value}")
    print(f"  {'keys':<8} {provenance}")
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


def _keys_file(path: Path, hub_key: str | None) -> tuple[list[Any], str]:
    """The keys in ``path`` and, in words, how far they are vouched for: a signed document's hub
    signature is checked against ``hub_key`` when given; a refused signature stops the command."""
    from sync.identity import parse_key
    from sync.labels import parse_keys
    from sync.lane_keys import is_signed_document, open_document, read_document

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not is_signed_document(data):
            if hub_key:
                raise CommandError(f"{path}: --hub-key checks a signed lane-keys document (the hub's GET "
                                   f"{SIGNED_DOCUMENT}), and this file is not one", EXIT_USAGE)
            return parse_keys(data), f"from {path.name}, which no hub signed: NOT verified"
        if hub_key is None:
            port = read_document(data)
            return port.keys, (f"from hub {port.hub}'s signed document, its signature NOT verified "
                               "(give --hub-key, as `lanebox hub key` prints it, to check it)")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}", EXIT_USAGE) from None
    except ValueError as exc:  # JSON that does not parse, or not a keys document
        raise CommandError(f"{path}: {exc}", EXIT_USAGE) from None
    try:
        port = open_document(data, parse_key(hub_key))
    except ValueError as exc:
        raise CommandError(f"KEYS NOT TRUSTED: {path}: {exc} — no label is checked against them",
                           EXIT_REFUSED) from None
    return port.keys, f"from hub {port.hub}'s signed document, its signature verified with --hub-key"


def _public_key(text: str) -> str:
    from sync.identity import parse_key

    try:
        parse_key(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
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
    verify.add_argument("--keys", type=Path, help="a lane-keys JSON file: the hub's signed document (GET "
                                                  f"{SIGNED_DOCUMENT}), or GET /api/v1/hub/lane-keys or "
                                                  "GET /api/v1/lane/keys")
    verify.add_argument("--hub-key", type=_public_key, help="the hub's key, ed25519:... as `lanebox hub key` "
                                                            "prints it: check the --keys document's signature")
    verify.add_argument("--key", type=_public_key, help="one lane's public key, ed25519:...")
    verify.add_argument("--lane", help="the lane --key belongs to (default: the lane the label names)")
    verify.set_defaults(func=cmd_verify_label)
