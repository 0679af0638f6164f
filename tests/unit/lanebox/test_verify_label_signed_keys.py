"""``lanebox verify-label --keys FILE`` with the hub's signed lane-keys document, as a lab or the defence
downloads it from a real hub: with ``--hub-key`` its signature is checked (and a document with a key
swapped under the signature, or one checked against another hub's key, stops the command before any
label is believed); without, the answer says plainly that the keys were not verified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.identity import key_text
from sync.labels import LaneKey, sign_label
from sync.lane_keys import SIGNED_KEYS_PATH
from tests.support.hub_rig import InProcessHub
from tests.unit.lanebox.test_verify_label import FIELDS, GENUINE, LANE_KEY, lanebox

LANE = FIELDS["lane"]
ATTACKER = Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path_factory.mktemp("hub"))
    token = running.store.add_lane(LANE)  # the lane whose key signed GENUINE, registered by its status
    status = {"lane": LANE, "ts": "2026-05-01T09:00:00.000Z", "devices": [],
              "label_keys": [LaneKey(LANE, key_text(LANE_KEY.public_key())).as_dict()]}
    assert requests.post(f"{running.url}/api/v1/sync/{LANE}/status", json=status, timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 200
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def signed_file(hub: InProcessHub, tmp_path: Path) -> Path:
    """The signed document as a verifier saves it from the hub."""
    response = requests.get(hub.url + SIGNED_KEYS_PATH, timeout=10,
                            headers={"Authorization": f"Bearer {hub.user_token('vera')}"})
    assert response.status_code == 200
    path = tmp_path / "port-keys.json"
    path.write_bytes(response.content)
    return path


def test_the_hubs_signed_keys_checked_with_its_key_verify_a_label(hub: InProcessHub, signed_file: Path,
                                                                  tmp_path: Path) -> None:
    done = lanebox(tmp_path, "verify-label", GENUINE, "--keys", str(signed_file), "--hub-key", hub.hub_key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"SIGNATURE VALID: signed by lane {LANE}")
    assert "hub TEST-HUB's signed document, its signature verified with --hub-key" in done.stdout


def test_without_the_hubs_key_it_says_the_keys_were_not_verified(signed_file: Path, tmp_path: Path) -> None:
    done = lanebox(tmp_path, "verify-label", GENUINE, "--keys", str(signed_file))
    assert done.returncode == 0, done.stderr
    assert "its signature NOT verified (give --hub-key" in done.stdout


def test_a_key_swapped_under_the_hubs_signature_is_not_trusted(hub: InProcessHub, signed_file: Path,
                                                                tmp_path: Path) -> None:
    envelope = json.loads(signed_file.read_text())
    document = json.loads(envelope["document"])
    document["keys"][0] = LaneKey(LANE, key_text(ATTACKER.public_key())).as_dict()  # the attacker's own key
    envelope["document"] = json.dumps(document, sort_keys=True, separators=(",", ":"))
    signed_file.write_text(json.dumps(envelope))
    forged = sign_label(FIELDS, ATTACKER)  # which the swapped key would vouch for
    done = lanebox(tmp_path, "verify-label", forged, "--keys", str(signed_file), "--hub-key", hub.hub_key)
    assert done.returncode == 1 and done.stdout == ""
    assert "KEYS NOT TRUSTED" in done.stderr and "signature is not the hub's" in done.stderr


def test_the_document_checked_against_another_hubs_key_is_not_trusted(signed_file: Path, tmp_path: Path) -> None:
    other_hub = key_text(Ed25519PrivateKey.generate().public_key())
    done = lanebox(tmp_path, "verify-label", GENUINE, "--keys", str(signed_file), "--hub-key", other_hub)
    assert done.returncode == 1 and done.stdout == "" and "KEYS NOT TRUSTED" in done.stderr


def test_a_hub_key_for_a_file_no_hub_signed_is_a_usage_error(hub: InProcessHub, tmp_path: Path) -> None:
    plain = tmp_path / "lane-keys.json"
    plain.write_text(json.dumps({"keys": [LaneKey(LANE, key_text(LANE_KEY.public_key())).as_dict()]}))
    done = lanebox(tmp_path, "verify-label", GENUINE, "--keys", str(plain), "--hub-key", hub.hub_key)
    assert done.returncode == 2 and "is not one" in done.stderr
    unsigned = lanebox(tmp_path, "verify-label", GENUINE, "--keys", str(plain))
    assert unsigned.returncode == 0 and "which no hub signed: NOT verified" in unsigned.stdout
