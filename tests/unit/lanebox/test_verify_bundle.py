"""``lanebox verify-bundle``: a real seizure's bundle (from the lane with a calibrated scale on a pty)
verifies in an empty folder with no lanebox data, by the command and by the verifier copied out of
lanebox alone; any changed byte of any member's content, of the manifest or of its signature fails,
as do a member added or taken away and another lane's key. The zip's own bytes: a change that still
verifies never changes what a member holds."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import common.bundle_verify
import common.eventlog.chain
import common.timestamp_token
from common.bundle_verify import BundleRefused, verify_bundle
from edge.bundle.archive import zipped
from sync.identity import key_text
from tests.support.case_bundle import download, seized_case
from tests.support.custody_bench import calibrated_bench

HYPOTHESIS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[bytes, str]]:
    """The bundle's bytes and the lane's public key."""
    with calibrated_bench(tmp_path_factory.mktemp("bundle")) as bench:
        case = seized_case(bench)
        response = download(bench, f"/seizures/{case.seizure_id}/bundle.zip")
        assert response.status_code == 200, response.get_data(as_text=True)
        yield response.get_data(), bench.server.label_signer.public_text


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def flipped(files: dict[str, bytes], name: str, position: int, xor: int) -> bytes:
    data = bytearray(files[name])
    data[position] ^= xor
    return zipped({**files, name: bytes(data)})


def refused(data: bytes, lane_key: str | None = None) -> str:
    with pytest.raises(BundleRefused) as caught:
        verify_bundle(io.BytesIO(data), lane_key=lane_key)
    return str(caught.value)


def run(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """In an empty folder with an empty home: no config, no store, no key of lanebox's."""
    return subprocess.run(command, cwd=cwd, env={**os.environ, "HOME": str(cwd)}, capture_output=True, text=True,
                          timeout=120)


def test_a_bundle_verifies_in_an_empty_folder(bundle: tuple[bytes, str], tmp_path: Path) -> None:
    data, lane_key = bundle
    (tmp_path / "case.zip").write_bytes(data)
    done = run(tmp_path, sys.executable, "-m", "lanebox", "verify-bundle", "case.zip", "--lane-key", lane_key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VERIFIED: case.zip") and "links whole from genesis" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.zip"]  # nothing made, nothing read


def test_the_verifier_copied_out_of_lanebox_runs_alone(bundle: tuple[bytes, str], tmp_path: Path) -> None:
    data, lane_key = bundle
    for module in (common.bundle_verify, common.eventlog.chain, common.timestamp_token):
        shutil.copy(module.__file__, tmp_path)
    (tmp_path / "case.zip").write_bytes(data)
    alone = ("import runpy, sys; sys.modules['common'] = None  # no lanebox to import\n"
             "sys.argv = ['bundle_verify.py', *sys.argv[1:]]; runpy.run_path('bundle_verify.py', run_name='__main__')")
    done = run(tmp_path, sys.executable, "-I", "-c", alone, "case.zip", "--lane-key", lane_key)
    assert done.returncode == 0, done.stderr
    assert "VERIFIED" in done.stdout
    broken = flipped(members(data), "VERIFY.txt", 0, 1)
    (tmp_path / "case.zip").write_bytes(broken)
    done = run(tmp_path, sys.executable, "-I", "-c", alone, "case.zip")
    assert done.returncode == 1 and "NOT VERIFIED: VERIFY.txt is not the file the manifest lists" in done.stderr


def test_each_member_changed_at_its_first_middle_and_last_byte_fails(bundle: tuple[bytes, str]) -> None:
    data, lane_key = bundle
    files = members(data)
    assert verify_bundle(io.BytesIO(zipped(files)), lane_key=lane_key)  # rezipping alone changes nothing
    for name, content in files.items():
        for position in {0, len(content) // 2, len(content) - 1}:
            refused(flipped(files, name, position, 0x01), lane_key)


@HYPOTHESIS
@given(choice=st.data())
def test_any_byte_of_any_member_changed_fails(bundle: tuple[bytes, str], choice: st.DataObject) -> None:
    data, _ = bundle
    files = members(data)
    name = choice.draw(st.sampled_from(sorted(files)))
    position = choice.draw(st.integers(0, len(files[name]) - 1))
    xor = choice.draw(st.integers(1, 255))
    refused(flipped(files, name, position, xor))


@HYPOTHESIS
@given(position=st.integers(0), xor=st.integers(1, 255))
def test_any_byte_of_the_manifest_changed_fails(bundle: tuple[bytes, str], position: int, xor: int) -> None:
    data, _ = bundle
    files = members(data)
    refused(flipped(files, "manifest.json", position % len(files["manifest.json"]), xor))


@HYPOTHESIS
@given(position=st.integers(0), xor=st.integers(1, 255))
def test_a_change_to_the_zip_that_verifies_changed_no_member(bundle: tuple[bytes, str], position: int,
                                                             xor: int) -> None:
    """The container's bytes (timestamps, attributes, comments) are not evidence: a flip there may
    still verify, but then every member holds exactly what it held."""
    data, _ = bundle
    changed = bytearray(data)
    changed[position % len(data)] ^= xor
    try:
        verify_bundle(io.BytesIO(bytes(changed)))
    except BundleRefused:
        return
    assert members(bytes(changed)) == members(data)


def test_a_member_added_or_taken_away_fails(bundle: tuple[bytes, str]) -> None:
    data, _ = bundle
    files = members(data)
    assert "added frames/extra.bin" in refused(zipped({**files, "frames/extra.bin": b"S S 1.00 kg"}))
    photo = next(name for name in files if name.startswith("photos/"))
    assert f"missing {photo}" in refused(zipped({k: v for k, v in files.items() if k != photo}))


def test_another_key_than_the_lanes_fails(bundle: tuple[bytes, str]) -> None:
    data, _ = bundle
    other = key_text(Ed25519PrivateKey.generate().public_key())
    assert "not signed with the lane key given" in refused(data, lane_key=other)


def test_a_bundle_re_signed_by_another_key_fails_against_the_lanes(bundle: tuple[bytes, str]) -> None:
    """A forger who changes an event and signs a new manifest with a key of their own is caught by the
    lane's published key (and without it, the account names the key the bundle claims)."""
    data, lane_key = bundle
    files = members(data)
    forger = Ed25519PrivateKey.generate()
    manifest = files["manifest.json"].replace(lane_key.encode(), key_text(forger.public_key()).encode())
    signature = forger.sign(common.bundle_verify.manifest_message(manifest))
    forged = zipped({**files, "manifest.json": manifest, "manifest.sig": base64.b64encode(signature) + b"\n"})
    assert "not signed with the lane key given" in refused(forged, lane_key=lane_key)
    account = verify_bundle(io.BytesIO(forged))
    assert any("the key the bundle names" in line for line in account)


def test_a_file_that_is_not_a_zip_fails_and_a_missing_one_is_exit_2(tmp_path: Path) -> None:
    assert "not an intact zip" in refused(b"PK\x03\x04 not really")
    done = run(tmp_path, sys.executable, "-m", "lanebox", "verify-bundle", "absent.zip")
    assert done.returncode == 2 and "absent.zip" in done.stderr
