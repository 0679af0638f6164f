"""``lanebox verify-label`` in a folder with no lanebox data: a genuine label verifies (exit 0, what it
says in words), a forged one, an altered one and one of a lane not known fail (exit 1, why), bad
keys are a usage error (exit 2)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.identity import key_text
from sync.labels import LaneKey, read_label, sign_label

LANE_KEY = Ed25519PrivateKey.generate()
FIELDS = {"bag": "BAG-1A2B3C4D", "seal": "GB 000123", "kg": "12.34", "scale": "bench-1", "cal": "c4l-1",
          "cal_due": False, "seq": 41, "hash": "ab" * 32, "lane": "DOV-IN-03", "at": "2026-05-01T10:00:00.000Z"}
GENUINE = sign_label(FIELDS, LANE_KEY)


def altered(text: str, **changes: object) -> str:
    prefix, _, signature = text.split(".")
    claims = json.dumps(read_label(text) | changes).encode()
    return f"{prefix}.{base64.urlsafe_b64encode(claims).rstrip(b'=').decode()}.{signature}"


def lanebox(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command, run in an empty folder with an empty home: no config, no store, no key."""
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "lanebox", *args], cwd=tmp_path, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "lane-keys.json"
    path.write_text(json.dumps({"keys": [LaneKey("DOV-IN-03", key_text(LANE_KEY.public_key())).as_dict()]}))
    return path


def test_a_genuine_label_verifies_and_says_what_it_says(tmp_path: Path, keys_file: Path) -> None:
    done = lanebox(tmp_path, "verify-label", GENUINE, "--keys", str(keys_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("SIGNATURE VALID: signed by lane DOV-IN-03")
    for words in ("BAG-1A2B3C4D", "GB 000123", "12.34 kg gross on bench-1 (in calibration", "2026-05-01T10:00:00"):
        assert words in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lane-keys.json"]  # it made nothing


def test_one_key_given_by_hand_and_a_label_from_stdin(tmp_path: Path) -> None:
    done = lanebox(tmp_path, "verify-label", "-", "--key", key_text(LANE_KEY.public_key()), stdin=GENUINE + "\n")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("label", "reason"), [
    (sign_label(FIELDS, Ed25519PrivateKey.generate()), "unknown_key"),
    (altered(GENUINE, kg="10.34"), "bad_signature"),
    (sign_label({**FIELDS, "lane": "FOL-OUT-01"}, LANE_KEY), "unknown_lane"),
    (GENUINE[:40], "malformed"),
])
def test_forged_altered_and_unknown_labels_fail(tmp_path: Path, keys_file: Path, label: str, reason: str) -> None:
    done = lanebox(tmp_path, "verify-label", label, "--keys", str(keys_file))
    assert done.returncode == 1 and done.stdout == ""
    assert f"NOT VALID ({reason})" in done.stderr and "do not accept" in done.stderr


def test_a_forged_label_fails_against_a_key_given_by_hand(tmp_path: Path) -> None:
    forged = sign_label(FIELDS, Ed25519PrivateKey.generate())
    done = lanebox(tmp_path, "verify-label", forged, "--key", key_text(LANE_KEY.public_key()))
    assert done.returncode == 1 and "NOT VALID (unknown_key)" in done.stderr


@pytest.mark.parametrize("args", [(), ("--keys", "missing.json"), ("--key", "ed25519:AAAA")])
def test_without_usable_keys_it_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = lanebox(tmp_path, "verify-label", GENUINE, *args)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
