"""RFC 3161 tokens checked with no ASN.1 library (common/timestamp_token.py), against tokens from the
test's own TSA over real HTTP: a genuine one verifies (and openssl agrees); one over other bytes, one
signed by a certificate not for time-stamping and a cut or garbled one are refused, never a crash; a
byte the TSA did not sign (a token has a few) may change, but never what the token claims."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from asn1crypto import tsp
from hypothesis import given, settings
from hypothesis import strategies as st

from common.timestamp_token import TokenRefused, imprint_of, read_all, verify_token
from sync.hub.timestamping import QUERY, request_token
from tests.support.tsa import LocalTsa

HEAD = hashlib.sha256(b"the chain head").hexdigest()


@pytest.fixture(scope="module")
def tsa() -> Iterator[LocalTsa]:
    running = LocalTsa().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(tsa: LocalTsa) -> bytes:
    return request_token(tsa.url, HEAD, 5)


def test_a_genuine_token_verifies_and_says_when_and_by_whom(token: bytes, tsa: LocalTsa, tmp_path: Path) -> None:
    proof = verify_token(token, imprint_of(HEAD))
    assert proof.tsa_subject == "CN=lanebox test TSA" and proof.serial >= 1
    if shutil.which("openssl"):  # an independent implementation agrees
        (tmp_path / "t.tsr").write_bytes(token)
        (tmp_path / "ca.pem").write_bytes(tsa.ca_pem)
        done = subprocess.run(["openssl", "ts", "-verify", "-digest", HEAD, "-in", "t.tsr", "-token_in",
                               "-CAfile", "ca.pem"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
        assert "Verification: OK" in done.stdout, done.stderr


def test_a_token_is_only_for_its_own_head(token: bytes) -> None:
    with pytest.raises(TokenRefused, match="over other bytes"):
        verify_token(token, imprint_of("00" * 32))


def test_a_certificate_not_for_time_stamping_is_refused(tsa: LocalTsa) -> None:
    tsa.mode = "no_eku"
    try:
        query = tsp.TimeStampReq({"version": "v1", "nonce": 7, "cert_req": True, "message_imprint": {
            "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint_of(HEAD)}})
        reply = requests.post(tsa.url, data=query.dump(), headers={"Content-Type": QUERY}, timeout=5).content
    finally:
        tsa.mode = "good"
    forged = read_all(reply)[0].children()[1].encoded
    with pytest.raises(TokenRefused, match="not a time-stamping certificate"):
        verify_token(forged, imprint_of(HEAD))


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(0), position=st.integers(0), xor=st.integers(1, 255))
def test_a_cut_or_garbled_token_is_refused_or_claims_the_same(token: bytes, cut: int, position: int, xor: int) -> None:
    garbled = bytearray(token[:len(token) - cut % len(token)] if cut % 3 == 0 else token)
    if garbled:
        garbled[position % len(garbled)] ^= xor
    try:
        proof = verify_token(bytes(garbled), imprint_of(HEAD))
    except TokenRefused:
        return
    assert proof == verify_token(token, imprint_of(HEAD))  # a byte nobody signed: the same claim, never another


def test_the_certificate_cannot_be_renamed_under_the_signature(token: bytes) -> None:
    """The TSA's name is in its certificate, which the signature covers only through the signed
    ESS attribute naming its hash: renamed, the certificate is not the one the signer named."""
    renamed = token.replace(b"\x0c\x10lanebox test TSA", b"\x0c\x10lanebox fake TSA")
    assert renamed != token
    with pytest.raises(TokenRefused, match="not the one its signer named"):
        verify_token(renamed, imprint_of(HEAD))


def test_a_certificate_with_an_unknown_version_is_refused_not_a_crash(token: bytes) -> None:
    """Found by the fuzz test above: one flipped bit in the certificate's version field made the
    X.509 library raise its own error out of verify_token."""
    version_2 = b"\xa0\x03\x02\x01\x02\x02"  # [0] { INTEGER 2 } then the serial number's INTEGER
    assert token.count(version_2) == 1
    with pytest.raises(TokenRefused, match="certificate in the token cannot be read"):
        verify_token(token.replace(version_2, b"\xa0\x03\x02\x01\x03\x02"), imprint_of(HEAD))
