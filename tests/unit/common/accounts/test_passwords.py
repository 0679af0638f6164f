"""The password policy (NIST SP 800-63B-4): length, a blocklist, no composition rules."""

from __future__ import annotations

import pytest

from common.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD, validate_password


@pytest.mark.parametrize("password", [
    "password", "passwordpassword1", "123456789012345", "qwertyuiopasdfghjkl", "aaaaaaaaaaaaaaaa",
    "iloveyouiloveyou", "1qaz2wsx3edc4rfv", "abcdefghijklmnop"])
def test_a_common_or_patterned_password_is_refused_and_says_why(password: str) -> None:
    with pytest.raises(ValueError, match="password"):
        validate_password(password)


def test_the_accounts_own_name_and_role_do_not_make_a_password() -> None:
    validate_password("marta.kowalska.2024")  # fine for anyone else ...
    with pytest.raises(ValueError, match="too easy to guess"):
        validate_password("marta.kowalska.2024", context=("marta.kowalska", "officer"))
    with pytest.raises(ValueError, match="too easy to guess"):
        validate_password("lanebox-lanebox-lanebox")


def test_the_length_bounds_are_those_of_sp_800_63b_for_a_single_factor() -> None:
    assert MIN_PASSWORD == 15 and MAX_PASSWORD >= 64
    with pytest.raises(ValueError, match=f"{MIN_PASSWORD}-{MAX_PASSWORD} characters"):
        validate_password("xq7 vbn kelp r")  # 14 characters, otherwise unguessable
    validate_password("xq7 vbn kelp rt")
    with pytest.raises(ValueError, match="characters"):
        validate_password("salt mirror " * 22)  # 264 characters


@pytest.mark.parametrize("password", [
    "correct horse battery", "kettle harbour violet", "ŁÓDŹ nocą pachnie deszczem", "lowercase words only here"])
def test_no_composition_rules_a_few_unrelated_words_pass(password: str) -> None:
    validate_password(password)


def test_a_password_of_the_greatest_length_is_taken() -> None:
    validate_password("kettle harbour violet " * 11)  # 242 characters: zxcvbn sees the first 72
