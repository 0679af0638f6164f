"""Writing a case bundle: the members, the manifest of their SHA-256, the lane's signature.

The manifest lists every member with its SHA-256 and size, the lane, the
case, the chain proof's start and head, and who made the bundle when and
why; ``manifest.sig`` is the lane key's Ed25519 signature of the manifest's
exact bytes (after :data:`common.bundle_verify.MANIFEST_PURPOSE`). So a
changed byte in any member fails its hash, and a changed manifest fails the
signature. The zip itself is a container: its timestamps and order are not
evidence (docs/evidence.md, "The case bundle").
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from common.bundle_verify import FORMAT, LINKS, MANIFEST, SIGNATURE, manifest_message
from common.clock import utc_now_iso
from common.eventlog.chain import canonical_json
from edge.bundle.evidence import Evidence, calibration_records, gather
from edge.bundle.proof import Span, links, span
from edge.bundle.verify_text import VERIFY_TEXT
from edge.inspections.photos import photo_reader, sniff_content_type
from edge.labels.keys import KEY_CREATED
from edge.reports.calibration import calibration_certificate
from sync.lane.checkpoints import kept_checkpoints

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass
class Case:
    """What a bundle is of: the record, the ids whose events it holds, its reports (name → PDF)."""

    kind: str
    id: str
    record_ids: list[str]
    reports: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Members:
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, path: str, data: bytes) -> str:
        self.files[path] = data
        return path


def build_bundle(server: Any, case: Case, created_by: str, justification: dict[str, Any] | None) -> bytes:
    """The zip of ``case`` as it stands in ``server``'s store now."""
    store = server.store
    head_event = store.get_seq(store.last_seq())
    head = {"seq": head_event["seq"], "hash": head_event["hash"]}
    evidence = gather(store, case.record_ids, head["seq"])
    case_seqs = [e["seq"] for e in store.record_events(case.record_ids) if e["seq"] <= head["seq"]]
    proof = span(kept_checkpoints(store, head["seq"]), head, min(evidence.events), max(case_seqs))
    _add_lane_keys(store, evidence, proof)
    members = _Members()
    shown = {seq: members.add(f"events/{seq:010d}.json", canonical_json(event))
             for seq, event in sorted(evidence.events.items())}
    members.add(LINKS, b"".join(links(store, proof, shown)))
    for name, pdf in case.reports.items():
        members.add(f"reports/{name}", pdf)
    lane = {"id": server.config.lane_id, "name": server.config.lane_name}
    whole = asdict(store.verify())
    for record in calibration_records(evidence):
        members.add(f"calibration/{record['payload']['device_id']}-{record['id']}.pdf", calibration_certificate(
            lane=lane, event=record, chain=whole, generated_at=utc_now_iso()))
    frames = _frames(members, evidence)
    photos_left_out = _photos(members, server, evidence)
    checkpoints = _checkpoints(members, proof)
    members.add("VERIFY.txt", VERIFY_TEXT.encode())
    manifest = {
        "format": FORMAT, "lane": lane["id"], "lane_name": lane["name"],
        "case": {"kind": case.kind, "id": case.id, "records": case.record_ids},
        "created_at": utc_now_iso(), "created_by": created_by, "justification": justification,
        "chain": {"start": proof.start, "head": proof.head},
        "signing_key": server.label_signer.public_text,
        "files": {path: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for path, data in sorted(members.files.items())},
        "frames": frames, "checkpoints": checkpoints, "photos_left_out": photos_left_out}
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode() + b"\n"
    signature = base64.b64encode(server.label_signer.sign_message(manifest_message(manifest_bytes)))
    return zipped({MANIFEST: manifest_bytes, SIGNATURE: signature + b"\n", **members.files})


def _add_lane_keys(store: Any, evidence: Evidence, proof: Span) -> None:
    """The ``lane.key_created`` events within the proof: the chain's own word on the signing key."""
    for row in store.query("SELECT id FROM events WHERE type = ? AND seq > ? AND seq <= ?",
                           (KEY_CREATED, proof.start["seq"], proof.head["seq"])):
        event = store.get(row["id"])
        evidence.events[event["seq"]] = event


def _frames(members: _Members, evidence: Evidence) -> list[dict[str, Any]]:
    frames = []
    for n, (seq, pointer) in enumerate(evidence.frames, 1):
        event = evidence.events[seq]
        raw = event["payload"]
        for step in pointer:
            raw = raw[step]
        device = str((event["payload"].get("device") or {}).get("id") or event["payload"].get("device_id") or "device")
        path = members.add(f"frames/{seq:010d}-{n}-{device}.bin", bytes.fromhex(raw["hex"]))
        frames.append({"path": path, "seq": seq, "pointer": pointer})
    return frames


def _photos(members: _Members, server: Any, evidence: Evidence) -> list[dict[str, str]]:
    """Add the case's photos (a photo of a person opened with its case's key); one that cannot
    be read (a photo of a person erased, a damaged one) is left out and listed with the words why."""
    left_out = []
    read = photo_reader(server.photos, server.store)
    for sha256 in sorted(evidence.photos):
        data = read(sha256)
        if data is None:
            continue  # named by an event but never uploaded: the event says so, the bundle cannot show it
        if isinstance(data, str):
            left_out.append({"sha256": sha256, "why": data})
            continue
        members.add(f"photos/{sha256}{EXTENSIONS.get(sniff_content_type(data) or '', '')}", data)
    return left_out


def _checkpoints(members: _Members, proof: Span) -> list[dict[str, Any]]:
    listed = []
    for checkpoint in proof.checkpoints:
        signed = {name: checkpoint[name] for name in ("lane", "seq", "hash", "at", "hub_key", "signature")}
        path = members.add(f"checkpoints/hub-{checkpoint['seq']:010d}.json", canonical_json(signed))
        token = checkpoint.get("timestamp")
        stamped = members.add(f"checkpoints/tsa-{checkpoint['seq']:010d}.tsr",
                              base64.b64decode(token)) if token else None
        listed.append({"seq": checkpoint["seq"], "countersignature": path, "timestamp": stamped})
    return listed


def zipped(files: dict[str, bytes]) -> bytes:
    """``files`` (name → content) as a zip, in that order, compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()
