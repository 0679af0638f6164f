"""A bundle's checkpoints: the hub's countersignatures (a real hub identity) and RFC 3161 tokens (the
test's own TSA over real HTTP) kept at the lane, carried by the bundle and checked by the verifier:
the proof starts at the countersigned checkpoint before the case and the covering one is stamped.
A lane that signs a bundle with a bad token, a countersignature of another head or a proof starting
nowhere countersigned is caught even though its manifest is genuinely signed."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from common.bundle_verify import BundleRefused, manifest_message, verify_bundle
from common.clock import utc_now_iso
from edge.bundle.archive import zipped
from sync.hub.identity import HubIdentity
from sync.hub.store import HubStore
from sync.hub.timestamping import request_token
from sync.lane.checkpoints import keep_checkpoint
from tests.support.case_bundle import download, seized_case
from tests.support.custody_bench import calibrate_bench_scale, calibrated_bench
from tests.support.technician_bench import Bench
from tests.support.tsa import LocalTsa


def countersign(bench: Bench, hub: HubIdentity, tsa: LocalTsa) -> dict[str, Any]:
    """The hub's countersignature of the lane's head now, stamped by the TSA, kept at the lane."""
    head = bench.server.store.get_seq(bench.server.store.last_seq())
    checkpoint = {"lane": bench.server.config.lane_id, "seq": head["seq"], "hash": head["hash"],
                  "at": utc_now_iso(), "hub_key": hub.public_text}
    checkpoint["signature"] = hub.countersign(checkpoint)
    checkpoint["timestamp"] = base64.b64encode(request_token(tsa.url, head["hash"], 5)).decode()
    assert keep_checkpoint(bench.server.store, bench.server.config.lane_id, checkpoint, hub.public_text)
    return checkpoint


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("checkpoints")
    tsa = LocalTsa().start()
    hub_store = HubStore(root / "hub.sqlite3", "HUB").start()
    try:
        hub = HubIdentity.of(hub_store)
        (root / "lane").mkdir()
        with calibrated_bench(root / "lane") as bench:
            before = countersign(bench, hub, tsa)
            calibrate_bench_scale(bench.server.store)  # recalibrated: the case cites nothing before the checkpoint
            bench.server.calibration_watch.refresh()
            case = seized_case(bench)
            after = countersign(bench, hub, tsa)
            response = download(bench, f"/seizures/{case.seizure_id}/bundle.zip")
            assert response.status_code == 200, response.get_data(as_text=True)
            yield {"bench": bench, "hub": hub, "tsa": tsa, "before": before, "after": after,
                   "data": response.get_data()}
    finally:
        hub_store.close()
        tsa.stop()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def resigned(made: dict[str, Any], files: dict[str, bytes], **changes: Any) -> bytes:
    """The bundle with ``files`` changed and its manifest made and signed again by the lane's own key:
    what a lane (or whoever holds its key) could produce."""
    manifest = {**json.loads(files["manifest.json"]), **changes}
    manifest["files"] = {path: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                         for path, data in files.items() if path not in ("manifest.json", "manifest.sig")}
    text = json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n"
    signature = base64.b64encode(made["bench"].server.label_signer.sign_message(manifest_message(text)))
    return zipped({**files, "manifest.json": text, "manifest.sig": signature + b"\n"})


def refused(data: bytes, **keys: str) -> str:
    with pytest.raises(BundleRefused) as caught:
        verify_bundle(io.BytesIO(data), **keys)
    return str(caught.value)


def test_the_proof_starts_at_the_countersigned_checkpoint_before_the_case(made: dict[str, Any]) -> None:
    manifest = json.loads(members(made["data"])["manifest.json"])
    assert manifest["chain"]["start"] == {"seq": made["before"]["seq"], "hash": made["before"]["hash"]}
    assert [c["seq"] for c in manifest["checkpoints"]] == [made["before"]["seq"], made["after"]["seq"]]
    account = verify_bundle(io.BytesIO(made["data"]), lane_key=made["bench"].server.label_signer.public_text,
                            hub_key=made["hub"].public_text)
    assert any(f"the countersigned checkpoint at seq {made['before']['seq']}" in line for line in account)
    assert any(line.startswith("countersigned by the hub: the hub held this chain to seq "
                               f"{made['after']['seq']}") for line in account)
    stamped = [line for line in account if line.startswith("time-stamped")]
    assert len(stamped) == 2 and all("CN=lanebox test TSA" in line for line in stamped)


def test_another_hub_key_than_the_ports_fails(made: dict[str, Any]) -> None:
    other = "ed25519:" + base64.b64encode(b"h" * 32).decode()
    assert "not signed with the hub key given" in refused(made["data"], hub_key=other)


def test_a_token_over_another_head_fails_though_the_manifest_is_signed(made: dict[str, Any]) -> None:
    files = members(made["data"])
    token = next(p for p in files if p.startswith("checkpoints/tsa-"))
    files[token] = request_token(made["tsa"].url, "ab" * 32, 5)
    assert "over other bytes than the chain head" in refused(resigned(made, files))


def test_a_token_whose_signature_was_altered_fails(made: dict[str, Any]) -> None:
    files = members(made["data"])
    token = next(p for p in files if p.startswith("checkpoints/tsa-"))
    damaged = bytearray(files[token])
    damaged[-10] ^= 0x55  # inside the signature, the token's last field
    files[token] = bytes(damaged)
    assert "signature does not verify" in refused(resigned(made, files))


def test_a_countersignature_of_another_head_fails(made: dict[str, Any]) -> None:
    files = members(made["data"])
    path = f"checkpoints/hub-{made['after']['seq']:010d}.json"
    claim = {**json.loads(files[path]), "hash": "cd" * 32}
    claim["signature"] = made["hub"].countersign(claim)
    files[path] = json.dumps(claim).encode()
    assert "countersigns another chain head" in refused(resigned(made, files))


def test_a_proof_starting_where_the_hub_countersigned_nothing_fails(made: dict[str, Any]) -> None:
    files = members(made["data"])
    lines = files["chain/links.jsonl"].splitlines(keepends=True)
    first = json.loads(lines[0])
    files["chain/links.jsonl"] = b"".join(lines[1:])
    files.pop(first.get("event"), None)
    manifest = json.loads(files["manifest.json"])
    moved = manifest["chain"] | {"start": {"seq": first["seq"], "hash": first["hash"]}}
    later = [c for c in manifest["checkpoints"] if c["seq"] > first["seq"]]
    for dropped in (c for c in manifest["checkpoints"] if c not in later):
        files.pop(dropped["countersignature"])
        files.pop(dropped["timestamp"])
    assert "starts neither at genesis nor at a checkpoint" in refused(resigned(made, files, chain=moved,
                                                                               checkpoints=later))
