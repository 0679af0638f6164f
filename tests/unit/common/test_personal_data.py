"""Sealing personal fields (common.personal_data): any MRZ field's text opens back exactly
with its case's key and not without it; a sealed value altered, or moved under another
case's key id, does not open; what is left sealed reads as None and says so."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.personal_data import (
    DOCUMENT_READING_PATHS,
    SealBroken,
    blind_index,
    decode_key,
    encode_key,
    key_ids,
    new_key,
    open_value,
    opened,
    seal,
    seal_paths,
    unreadable_to_none,
)

MRZ_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | MRZ_TEXT,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(MRZ_TEXT, inner, max_size=4),
                           max_leaves=12)


@given(value=JSON_VALUES)
def test_any_value_opens_back_exactly_with_its_key(value):
    key = new_key()
    sealed = seal(value, "case-1", key)
    assert open_value(sealed, key) == value
    assert opened({"a": [sealed]}, {"case-1": key}) == {"a": [value]}


@given(text=MRZ_TEXT.filter(lambda t: len(t) >= 4))
def test_the_sealed_form_does_not_show_the_text(text):
    sealed = seal(text, "case-1", new_key())
    assert text not in json.dumps(sealed, ensure_ascii=False)


def test_without_its_key_a_value_stays_sealed_and_reads_as_none():
    sealed = seal("HALLORAN", "case-1", new_key())
    assert opened(sealed, {"case-2": new_key()}) == sealed  # another case's key does not help
    assert unreadable_to_none({"mrz": {"surname": sealed, "format": "TD3"}}) == ({"mrz": {"surname": None,
                                                                                        "format": "TD3"}}, True)
    assert unreadable_to_none({"format": "TD3"}) == ({"format": "TD3"}, False)


def test_an_altered_value_or_one_moved_under_another_key_id_does_not_open():
    key = new_key()
    sealed = seal("HALLORAN", "case-1", key)
    blob = bytearray(base64.b64decode(sealed["sealed"]))
    blob[-1] ^= 1
    altered = {**sealed, "sealed": base64.b64encode(bytes(blob)).decode()}
    with pytest.raises(SealBroken):
        open_value(altered, key)
    with pytest.raises(SealBroken):
        open_value({**sealed, "key": "case-2"}, key)  # the key id is bound in as associated data
    assert opened(altered, {"case-1": key}) == altered  # shown as unreadable, never as something else


def test_a_document_readings_personal_fields_are_sealed_and_the_rest_left_in_clear():
    key = new_key()
    evidence = {"reading": {"data": {"mrz": {"surname": "HALLORAN", "given_names": "BRIDGET AOIFE",
                                             "document_number": "543219876", "birth_date": "1987-03-14",
                                             "format": "TD3", "valid": True, "expiry_date": "2031-06-02",
                                             "personal_number": None}}},
                "raw": {"hex": "50", "text": "P<GBRHALLORAN"},
                "assessment": {"document_number": "543219876", "expired": False,
                               "watchlist_hits": [{"type": "document", "value": "543219876", "reason": "stolen"}],
                               "flags": [{"code": "document_watchlisted", "message": "on the watchlist"}]}}
    sealed = seal_paths(evidence, DOCUMENT_READING_PATHS, "case-1", key)
    text = json.dumps(sealed)
    assert not any(word in text for word in ("HALLORAN", "BRIDGET", "543219876", "1987-03-14"))
    mrz = sealed["reading"]["data"]["mrz"]
    assert (mrz["format"], mrz["valid"], mrz["expiry_date"], mrz["personal_number"]) == ("TD3", True, "2031-06-02",
                                                                                        None)
    assert sealed["assessment"]["flags"] == evidence["assessment"]["flags"]
    assert key_ids(sealed) == {"case-1"}
    assert opened(sealed, {"case-1": key}) == evidence
    assert evidence["raw"]["text"] == "P<GBRHALLORAN"  # the caller's payload is not changed


def test_keys_travel_as_base64_of_32_bytes_and_nothing_else():
    key = new_key()
    assert decode_key(encode_key(key)) == key
    for bad in ("not base64!", encode_key(b"short")):
        with pytest.raises(ValueError):
            decode_key(bad)


def test_the_blind_index_matches_equal_numbers_only_under_the_same_key():
    port_key = new_key()
    assert blind_index(port_key, "543219876") == blind_index(port_key, "543219876")
    assert blind_index(port_key, "543219876") != blind_index(port_key, "543219877")
    assert blind_index(new_key(), "543219876") != blind_index(port_key, "543219876")
    assert "543219876" not in blind_index(port_key, "543219876")
