"""The signed label format: what one lane key signs verifies, and nothing else does — any byte of
the payload or the signature changed, another key, another lane, a lane not known."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from sync.identity import key_text
from sync.labels import (
    BAD_SIGNATURE,
    MALFORMED,
    UNKNOWN_KEY,
    UNKNOWN_LANE,
    LabelRefused,
    LaneKey,
    key_id,
    parse_keys,
    read_label,
    sign_label,
    verify_label,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
FIELDS = {"bag": "BAG-1A2B3C4D", "seal": "GB 000123", "kg": "12.345", "scale": "bench-1",
          "cal": "46383b4c-e7a9-408b-a289-bb76fba4bfff", "cal_due": False, "seq": 4711, "hash": "ab" * 32,
          "lane": "DOV-IN-03", "at": "2026-05-01T10:00:00.123Z"}
LABEL = sign_label(FIELDS, KEY)
KEYS = [LaneKey("DOV-IN-03", key_text(KEY.public_key()), "2026-01-01T00:00:00.000Z", 1)]


def refusal(text: str, keys: list[LaneKey] = KEYS) -> str:
    with pytest.raises(LabelRefused) as refused:
        verify_label(text, keys)
    return refused.value.code


def test_a_label_verifies_with_its_lanes_key_and_says_what_was_signed() -> None:
    assert LABEL.startswith("LBX1.") and set(LABEL) <= set("LBX1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789-_")
    assert verify_label(LABEL, KEYS) == {**FIELDS, "kid": key_id(KEY.public_key())}
    assert verify_label(f"  {LABEL}\r\n", KEYS)["bag"] == "BAG-1A2B3C4D"  # as a scanner types it, line end and all


def test_signing_is_deterministic_so_a_reprint_is_the_same_label() -> None:
    assert sign_label(FIELDS, KEY) == LABEL


@given(st.data())
def test_any_single_byte_changed_fails(data: st.DataObject) -> None:
    raw = bytearray(LABEL.encode())
    at = data.draw(st.integers(0, len(raw) - 1), label="position")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != raw[at]), label="new byte")
    raw[at] = byte
    altered = raw.decode("latin-1")
    assert refusal(altered) in (MALFORMED, BAD_SIGNATURE, UNKNOWN_KEY, UNKNOWN_LANE)


@given(st.sampled_from(sorted(set(FIELDS) - {"lane"})), st.data())  # another lane: unknown_lane
def test_a_label_altered_and_re_encoded_fails_on_its_signature(name: str, data: st.DataObject) -> None:
    """A forger who changes a fact (a heavier weight, another seal) and writes the payload out
    properly still cannot sign it: the signature check refuses it."""
    value = FIELDS[name]
    changed = (not value if isinstance(value, bool) else value + 1 if isinstance(value, int)
               else value + data.draw(st.text("0123456789ABC", min_size=1, max_size=3)))
    prefix, payload, signature = LABEL.split(".")
    claims = {**read_label(LABEL), name: changed}
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert forged_payload != payload
    assert refusal(f"{prefix}.{forged_payload}.{signature}") == BAD_SIGNATURE


def test_a_label_signed_by_another_key_fails() -> None:
    assert refusal(sign_label(FIELDS, OTHER)) == UNKNOWN_KEY


def test_another_key_claiming_a_known_key_id_fails_on_the_signature() -> None:
    forged = sign_label(FIELDS, OTHER)
    prefix, payload, signature = forged.split(".")
    genuine_payload = LABEL.split(".")[1]
    assert refusal(f"{prefix}.{genuine_payload}.{signature}") == BAD_SIGNATURE
    assert read_label(forged)["kid"] != key_id(KEY.public_key())


def test_a_label_of_a_lane_not_known_fails() -> None:
    assert refusal(sign_label({**FIELDS, "lane": "FOL-OUT-01"}, KEY)) == UNKNOWN_LANE


def test_a_lanes_key_does_not_vouch_for_another_lane() -> None:
    keys = [*KEYS, LaneKey("FOL-OUT-01", key_text(OTHER.public_key()))]
    assert refusal(sign_label({**FIELDS, "lane": "FOL-OUT-01"}, KEY), keys) == UNKNOWN_KEY


@pytest.mark.parametrize("text", ["BAG-1A2B3C4D", "LBX1..", "LBX2" + LABEL[4:], LABEL + ".x", "LBX1.e30." + "A" * 86,
                                  "L" * 5000])
def test_what_is_not_a_label_is_malformed(text: str) -> None:
    assert refusal(text) == MALFORMED


def test_keys_documents_are_read_or_refused_whole() -> None:
    assert parse_keys({"keys": [k.as_dict() for k in KEYS]}) == KEYS
    for bad in ({}, {"keys": [{"lane": "X", "key": "ed25519:AAAA"}]}, {"keys": [{"key": KEYS[0].key}]}, []):
        with pytest.raises(ValueError):
            parse_keys(bad)



def test_a_signature_whose_last_character_decodes_to_the_same_bytes_still_fails() -> None:
    """A 64-byte signature's last base64url character carries two unused bits: changing them decodes
    to the very same bytes, yet the text is not the one the lane made, and is refused."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    prefix, payload, signature = LABEL.split(".")
    twin = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(signature + "==")
    assert refusal(f"{prefix}.{payload}.{twin}") == MALFORMED
