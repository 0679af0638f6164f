"""Checking a case bundle: the verifier the defence can read, copy and run without lanebox.

A case bundle (docs/evidence.md, "The case bundle"; made by ``edge.bundle``)
is a zip of one inspection's or seizure's evidence. This module checks one
with the standard library and ``cryptography`` only, so it is "independent
of the box": it needs no lanebox data, no config, no network, and it can be
copied out of lanebox with the two modules it uses — ``common/eventlog/chain.py``
(the canonical form every event hash is computed over) and
``common/timestamp_token.py`` (RFC 3161 tokens) — into one folder and run as
``python3 bundle_verify.py FILE``. ``lanebox verify-bundle`` runs the same code.

It checks, and stops at the first failure, naming it:

1. the manifest's Ed25519 signature, by the lane's key (``--lane-key``, or
   the key the manifest names, said to be the bundle's own claim);
2. every member's SHA-256 and size against the manifest, and that the zip
   holds exactly the members the manifest lists (nothing added, nothing lost);
3. every event's hash, recomputed from its canonical content — the very
   bytes the lane hashed — and its file being exactly those bytes;
4. the chain proof: every seq from the start (genesis, or a checkpoint the
   hub countersigned) to the head, each link's ``prev_hash`` the hash before
   it, each event of the case at its place;
5. each raw device frame against the hex its event recorded, each photo
   against the SHA-256 it is named by;
6. each hub countersignature (by ``--hub-key``, or the key it names) and
   each RFC 3161 token (its imprint is the head hash it is filed with, its
   signature by the certificate inside it; whether that certificate is a
   TSA anyone should trust is for the port to establish).

The zip container's own bytes (timestamps, compression, order of members)
are not evidence and not checked: only what the members contain and what
they are called.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import importlib.util
import io
import json
import sys
import zipfile
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _beside(name: str) -> ModuleType:
    """A module copied into this file's folder with it, when lanebox is not installed."""
    spec = importlib.util.spec_from_file_location(f"_bundle_{name}", Path(__file__).with_name(f"{name}.py"))
    if spec is None or spec.loader is None:
        raise ImportError(f"{name}.py must be beside {Path(__file__).name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


try:
    from common import timestamp_token
    from common.eventlog import chain
except ImportError:  # copied out of lanebox (see the module's docstring)
    chain = _beside("chain")
    timestamp_token = _beside("timestamp_token")

FORMAT = "lanebox-case-bundle/1"
MANIFEST, SIGNATURE, LINKS = "manifest.json", "manifest.sig", "chain/links.jsonl"
MANIFEST_PURPOSE = b"lanebox case bundle manifest v1\n"
COUNTERSIGN_PURPOSE = b"lanebox chain countersignature v1\n"
"""Each signature starts with its purpose, so one made for a label, a roster
or a countersignature can never pass as another."""
MAX_MEMBER_BYTES = 1 << 30
EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


class BundleRefused(ValueError):
    """The bundle does not verify; the message names the first failure."""


def content_sha256(event: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an event's hashed fields but ``prev_hash``: what
    the chain proof shows of an event outside the case, so whoever holds the lane's or
    the hub's copy can confirm that entry without the bundle disclosing it."""
    fields = {name: event[name] for name in chain.HASHED_FIELDS if name != "prev_hash"}
    return hashlib.sha256(chain.canonical_json(fields)).hexdigest()


def manifest_message(manifest: bytes) -> bytes:
    return MANIFEST_PURPOSE + manifest


def countersign_message(checkpoint: dict[str, Any]) -> bytes:
    """What the hub signs of a lane's chain head: lane, seq, hash and when, canonically."""
    return COUNTERSIGN_PURPOSE + chain.canonical_json(
        {"lane": checkpoint["lane"], "seq": checkpoint["seq"], "hash": checkpoint["hash"], "at": checkpoint["at"]})


def public_key(text: object) -> Ed25519PublicKey:
    """The key ``ed25519:<base64 of 32 bytes>``; ``ValueError`` if it is not one."""
    raw = b""
    if isinstance(text, str) and text.startswith("ed25519:"):
        try:
            raw = base64.b64decode(text.removeprefix("ed25519:"), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != 32:
        raise ValueError(f"{str(text)[:60]!r} is not an Ed25519 key (ed25519:<base64 of 32 bytes>)")
    return Ed25519PublicKey.from_public_bytes(raw)


def _signed(key: Ed25519PublicKey, message: bytes, signature: object) -> bool:
    """Whether ``signature`` is exactly the base64 of ``key``'s signature of ``message``
    (canonical: another text decoding to the same bytes is refused, so no byte of it is slack)."""
    try:
        raw = base64.b64decode(str(signature), validate=True)
        key.verify(raw, message)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return base64.b64encode(raw).decode() == signature


def verify_bundle(source: str | Path | BinaryIO, lane_key: str | None = None,
                  hub_key: str | None = None) -> list[str]:
    """Check the bundle; the account of what it proves, line by line.

    :class:`BundleRefused` naming the first failure; ``OSError`` if it cannot be read.
    """
    members = _members(source)
    account: list[str] = []
    manifest = _manifest(members, lane_key, account)
    _files(members, manifest)
    events = _events(members, manifest)
    proven = _links(members, manifest, events)
    _frames(members, manifest, events)
    _photos(manifest)
    anchors = _checkpoints(members, manifest, proven, hub_key)
    _check_start(manifest, anchors)
    head, start = manifest["chain"]["head"], manifest["chain"]["start"]
    case = manifest["case"]
    account += [f"case: {case['kind']} {case['id']} at lane {manifest['lane']}, bundled {manifest['created_at']} "
                f"by {manifest['created_by']}",
                f"files: {len(manifest['files'])}, each as the manifest lists it",
                f"events: {len(events)} of the case and the evidence it cites, each matching its hash",
                f"chain: {len(proven) - 1} links whole from "
                f"{'genesis' if start['seq'] == 0 else 'the countersigned checkpoint at seq ' + str(start['seq'])} "
                f"to the head, seq {head['seq']} ({head['hash']})",
                *anchors.values()]
    if not any(line.startswith("countersigned") for line in anchors.values()):
        account.append("no hub countersignature in the bundle: the chain is the lane's word alone")
    return account


def _members(source: str | Path | BinaryIO) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            too_big = any(info.file_size > MAX_MEMBER_BYTES for info in infos)
            read = [] if too_big else [(info.filename, archive.read(info)) for info in infos]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise BundleRefused(f"the file is not an intact zip: {exc}") from None
    if too_big:
        raise BundleRefused("a member is larger than any evidence file")
    members = dict(read)
    if len(members) != len(read):
        raise BundleRefused("the zip holds two members of the same name")
    return members


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleRefused(f"{what} is not JSON") from None


def _manifest(members: dict[str, bytes], lane_key: str | None, account: list[str]) -> dict[str, Any]:
    if MANIFEST not in members or SIGNATURE not in members:
        raise BundleRefused(f"no {MANIFEST} or {SIGNATURE}: not a lanebox case bundle")
    manifest = _json(members[MANIFEST], MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleRefused(f"{MANIFEST} is not a {FORMAT} manifest")
    named = manifest.get("signing_key")
    if lane_key is not None and lane_key != named:
        raise BundleRefused("the manifest was not signed with the lane key given (--lane-key)")
    try:
        key = public_key(named)
    except ValueError as exc:
        raise BundleRefused(f"the manifest's signing key: {exc}") from None
    signature = members[SIGNATURE].decode("ascii", "replace")
    if not signature.endswith("\n") or not _signed(key, manifest_message(members[MANIFEST]), signature[:-1]):
        raise BundleRefused("the manifest's signature does not verify: the manifest was changed after signing")
    if not _shape(manifest):
        raise BundleRefused(f"{MANIFEST} lacks what a case bundle's manifest holds")
    account.append(f"manifest: signed by lane {manifest['lane']}'s key {named}" +
                   (" (the key given)" if lane_key else
                    " — the key the bundle names: compare it with the lane's published key (--lane-key)"))
    return manifest


def _typed(value: Any, types: dict[str, Any]) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(name), kind) for name, kind in types.items())


def _every(values: Any, types: dict[str, Any]) -> bool:
    return isinstance(values, list) and all(_typed(value, types) for value in values)


LINK = {"seq": int, "hash": str}


def _shape(manifest: dict[str, Any]) -> bool:
    """Whether the manifest has every field the checks read, of its type."""
    files = manifest.get("files")
    return (_typed(manifest, {"lane": str, "created_at": str, "created_by": str, "case": dict, "chain": dict})
            and _typed(manifest["case"], {"kind": str, "id": str})
            and _typed(manifest["chain"].get("start"), LINK) and _typed(manifest["chain"].get("head"), LINK)
            and isinstance(files, dict) and all(_typed(entry, {"sha256": str, "size": int}) for entry in files.values())
            and _every(manifest.get("frames"), {"path": str, "seq": int, "pointer": list})
            and _every(manifest.get("checkpoints"), {"seq": int, "countersignature": str,
                                                     "timestamp": (str, type(None))})
            and all(c["countersignature"] in files and c["timestamp"] in (None, *files)
                    for c in manifest["checkpoints"]))


def _files(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
    listed = manifest["files"]
    extra = sorted(set(members) - set(listed) - {MANIFEST, SIGNATURE})
    missing = sorted(set(listed) - set(members))
    if extra or missing:
        raise BundleRefused(f"the zip does not hold what the manifest lists: "
                            f"{'added ' + ', '.join(extra) if extra else ''}"
                            f"{'; ' if extra and missing else ''}{'missing ' + ', '.join(missing) if missing else ''}")
    for path, entry in sorted(listed.items()):
        data = members[path]
        if hashlib.sha256(data).hexdigest() != entry["sha256"] or len(data) != entry["size"]:
            raise BundleRefused(f"{path} is not the file the manifest lists (its SHA-256 differs)")


def _events(members: dict[str, bytes], manifest: dict[str, Any]) -> dict[int, dict[str, Any]]:
    events: dict[int, dict[str, Any]] = {}
    for path in sorted(p for p in manifest["files"] if p.startswith("events/")):
        event = _json(members[path], path)
        try:
            exact = chain.canonical_json(event) == members[path]
            recomputed = chain.event_hash(event, event["prev_hash"])
        except (KeyError, TypeError, ValueError):
            raise BundleRefused(f"{path} is not an event") from None
        if not exact:
            raise BundleRefused(f"{path} is not in the canonical form its hash is computed over")
        if recomputed != event.get("hash"):
            raise BundleRefused(f"{path}: the event's content does not match its hash (seq {event.get('seq')})")
        if event.get("lane") != manifest["lane"] or not isinstance(event.get("seq"), int) or event["seq"] in events:
            raise BundleRefused(f"{path}: an event of another lane, or a seq given twice")
        events[event["seq"]] = {**event, "_path": path}
    return events


def _links(members: dict[str, bytes], manifest: dict[str, Any],
           events: dict[int, dict[str, Any]]) -> dict[int, str]:
    """Walk the chain proof; every seq's hash from the start to the head."""
    start, head = manifest["chain"]["start"], manifest["chain"]["head"]
    if LINKS not in manifest["files"]:
        raise BundleRefused(f"no chain proof ({LINKS})")
    expected = chain.GENESIS_HASH if start["seq"] == 0 else start["hash"]
    hashes, seq, shown = {start["seq"]: expected}, start["seq"], set()
    for number, line in enumerate(members[LINKS].splitlines(), 1):
        link = _json(line, f"{LINKS} line {number}")
        seq += 1
        if not isinstance(link, dict) or link.get("seq") != seq:
            raise BundleRefused(f"the chain proof skips or repeats: expected seq {seq} at line {number}")
        if link.get("prev_hash") != expected:
            raise BundleRefused(f"the chain is broken at seq {seq}: its prev_hash is not the hash before it")
        if "event" in link:
            event = events.get(seq)
            if event is None or event["_path"] != link["event"] or event["hash"] != link.get("hash") \
                    or event["prev_hash"] != link["prev_hash"] or content_sha256(event) != link.get("content_sha256"):
                raise BundleRefused(f"the chain proof at seq {seq} is not the event {link['event']}")
            shown.add(seq)
        expected = link.get("hash")
        if not isinstance(expected, str) or len(expected) != 64:
            raise BundleRefused(f"the chain proof at seq {seq} has no hash")
        hashes[seq] = expected
    if seq != head["seq"] or expected != head["hash"]:
        raise BundleRefused(f"the chain proof ends at seq {seq}, not at the head the manifest names "
                            f"(seq {head['seq']})")
    if shown != set(events):
        raise BundleRefused(f"events outside the chain proof: seq {sorted(set(events) - shown)}")
    return hashes


def _pointed(payload: Any, pointer: list[Any]) -> Any:
    for step in pointer:
        payload = payload[step]
    return payload


def _frames(members: dict[str, bytes], manifest: dict[str, Any], events: dict[int, dict[str, Any]]) -> None:
    for frame in manifest["frames"]:
        event = events.get(frame["seq"])
        try:
            recorded = bytes.fromhex(_pointed(event["payload"], frame["pointer"])["hex"]) if event else None
        except (KeyError, IndexError, TypeError, ValueError):
            recorded = None
        if recorded is None or members.get(frame["path"]) != recorded:
            raise BundleRefused(f"{frame['path']} is not the raw frame event seq {frame['seq']} recorded")


def _photos(manifest: dict[str, Any]) -> None:
    for path, entry in manifest["files"].items():
        if path.startswith("photos/") and Path(path).stem != entry["sha256"]:
            raise BundleRefused(f"{path} is not the photo of that SHA-256")


def _checkpoints(members: dict[str, bytes], manifest: dict[str, Any], proven: dict[int, str],
                 hub_key: str | None) -> dict[str, str]:
    """Each checkpoint's countersignature and token; what each proves, by name."""
    said: dict[str, str] = {}
    for checkpoint in manifest["checkpoints"]:
        path = checkpoint["countersignature"]
        signed = _json(members[path], path)
        if not isinstance(signed, dict) or signed.get("lane") != manifest["lane"] \
                or signed.get("seq") != checkpoint["seq"] or proven.get(signed.get("seq")) != signed.get("hash"):
            raise BundleRefused(f"{path} countersigns another chain head than this chain's at that seq")
        if hub_key is not None and signed.get("hub_key") != hub_key:
            raise BundleRefused(f"{path} was not signed with the hub key given (--hub-key)")
        try:
            valid = _signed(public_key(signed.get("hub_key")), countersign_message(signed), signed.get("signature"))
        except (KeyError, ValueError):
            valid = False
        if not valid:
            raise BundleRefused(f"{path}: the hub's countersignature does not verify")
        whose = "" if hub_key else f" (key {signed['hub_key']}, the key the bundle names: compare it with --hub-key)"
        said[path] = (f"countersigned by the hub{whose}: the hub held this chain to seq {signed['seq']} "
                      f"at {signed['at']}")
        if checkpoint["timestamp"]:
            said[checkpoint["timestamp"]] = _timestamp(members, checkpoint, signed["hash"])
    return said


def _timestamp(members: dict[str, bytes], checkpoint: dict[str, Any], head_hash: str) -> str:
    path = checkpoint["timestamp"]
    try:
        proof = timestamp_token.verify_token(members[path], timestamp_token.imprint_of(head_hash))
    except (timestamp_token.TokenRefused, ValueError) as exc:
        raise BundleRefused(f"{path}: {exc}") from None
    return (f"time-stamped: seq {checkpoint['seq']} existed by {proof.gen_time.isoformat()} says the TSA "
            f"{proof.tsa_subject} (certificate SHA-256 {proof.tsa_fingerprint_sha256}; whether to trust that "
            f"certificate is for the port to establish)")


def _check_start(manifest: dict[str, Any], anchors: dict[str, str]) -> None:
    start = manifest["chain"]["start"]
    if start["seq"] == 0:
        return
    at_start = [c for c in manifest["checkpoints"] if c["seq"] == start["seq"]]
    if not at_start or at_start[0]["countersignature"] not in anchors:
        raise BundleRefused("the chain proof starts neither at genesis nor at a checkpoint the hub countersigned")


def main(argv: list[str] | None = None) -> int:
    """``python3 bundle_verify.py FILE [--lane-key ...] [--hub-key ...]`` (and ``lanebox verify-bundle``)."""
    parser = argparse.ArgumentParser(prog="verify-bundle", description="Check a lanebox case bundle.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", metavar="FILE", type=Path, help="the case bundle (.zip)")
    parser.add_argument("--lane-key", help="the lane's published key, ed25519:... (default: the key the bundle names)")
    parser.add_argument("--hub-key", help="the port hub's published key, ed25519:... (default: the key the "
                                          "countersignatures name)")


def run(args: argparse.Namespace) -> int:
    try:
        data = args.bundle.read_bytes()
    except OSError as exc:
        print(f"verify-bundle: {args.bundle}: {exc.strerror}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        account = verify_bundle(io.BytesIO(data), args.lane_key, args.hub_key)
    except BundleRefused as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"VERIFIED: {args.bundle.name} (SHA-256 {hashlib.sha256(data).hexdigest()})")
    for line in account:
        print(f"  {line}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
