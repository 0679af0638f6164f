"""Scan validation against the published vectors in docs/protocols.md
(sections 3 and 4), the ICAO 9303 specimens, and hypothesis for the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import iso6346 as stdnum_iso6346

from drivers.validation.gs1 import gs1_check_digit, parse_gs1
from drivers.validation.iso6346 import container_check_digit, parse_container_number
from drivers.validation.mrz import looks_like_mrz_line, mrz_check_digit, parse_mrz
from drivers.validation.scan import classify_scan, split_aim_identifier

TODAY = dt.date(2025, 6, 1)

# ---------------------------------------------------------------- ISO 6346

VALID_CONTAINERS = ["CSQU3054383", "TCNU7200794", "TOLU4734787", "GYOU4047990", "MWCU6059784"]


@pytest.mark.parametrize("number", VALID_CONTAINERS)
def test_published_valid_container_numbers(number):
    result = parse_container_number(number)
    assert result["valid"] is True, result["errors"]
    assert result["checks"] == {"length": True, "format": True, "category": True, "check_digit": True}
    assert (result["owner"], result["category"], result["serial"], result["check_digit"]) == (
        number[:3], number[3], number[4:10], number[10])
    assert container_check_digit(number[:10]) == int(number[10])


def test_remainder_ten_gives_check_digit_zero():
    assert container_check_digit("GYOU404799") == 0


def test_wrong_check_digit_says_so():
    result = parse_container_number("CSQU3054384")
    assert result["valid"] is False
    assert result["checks"] == {"length": True, "format": True, "category": True, "check_digit": False}
    assert result["errors"] == ["check digit: expected 3, got 4"]
    assert result["owner"] == "CSQ" and result["check_digit"] == "4"


def test_short_number_fails_on_length():
    result = parse_container_number("CSQU305438")
    assert result["valid"] is False
    assert result["checks"]["length"] is False
    assert result["errors"] == ["length: expected 11 characters, got 10"]
    assert result["owner"] is None


def test_wrong_public_example_is_caught():
    assert parse_container_number("MSCU6639871")["checks"]["check_digit"] is False
    assert parse_container_number("MSCU6639870")["valid"] is True


@pytest.mark.parametrize("typed", ["CSQU 305438 3", "csqu-305438-3", " CSQU 3054383\t", "CSQU-305438-3"])
def test_typed_forms_are_normalised(typed):
    result = parse_container_number(typed)
    assert result["valid"] is True
    assert result["text"] == "CSQU3054383"


def test_format_and_category_are_reported_separately():
    assert parse_container_number("CSQU30543X3")["checks"]["format"] is False
    bad_category = parse_container_number("CSQA3054383")
    assert bad_category["checks"]["category"] is False
    assert bad_category["checks"]["format"] is True
    assert any(e.startswith("category") for e in bad_category["errors"])


def test_check_digit_helper_rejects_what_it_cannot_weigh():
    for bad in ("CSQU30543", "CSQU3054383", "CSQU30543!", "ÄSQU305438"):
        with pytest.raises(ValueError):
            container_check_digit(bad)


def test_a_remainder_ten_number_has_a_valid_twin():
    """ISO 6346's known weakness: remainders 10 and 0 both give digit 0, so
    one changed digit can go unseen. The standard advises against serials
    with remainder 10; we can only report what the digits say."""
    assert parse_container_number("GYOU4047990")["valid"]
    assert parse_container_number("GYOU4047900")["valid"]


owner_codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
serials = st.text(alphabet="0123456789", min_size=6, max_size=6)


@given(owner_codes, st.sampled_from("UJZ"), serials)
def test_check_digit_agrees_with_python_stdnum(owner, category, serial):
    first10 = owner + category + serial
    assert container_check_digit(first10) == int(stdnum_iso6346.calc_check_digit(first10))


@given(owner_codes, st.sampled_from("UJZ"), serials, st.integers(4, 10), st.integers(1, 9))
def test_one_changed_digit_fails_the_check(owner, category, serial, position, delta):
    first10 = owner + category + serial
    weighted = sum(_weight(ch) << i for i, ch in enumerate(first10)) % 11
    assume(weighted not in (0, 10))  # see test_a_remainder_ten_number_has_a_valid_twin
    number = first10 + str(container_check_digit(first10))
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    assert parse_container_number(number)["valid"]
    assert parse_container_number(changed)["checks"]["check_digit"] is False


# letter values as tabled in docs/protocols.md
LETTER_VALUES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25,
                                                         26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38)))


def _weight(ch: str) -> int:
    return int(ch) if ch.isdigit() else LETTER_VALUES[ch]


@given(st.text())
def test_any_text_parses_as_a_container_without_raising(text):
    result = parse_container_number(text)
    assert result["type"] == "container"
    assert result["valid"] == (not result["errors"]) == all(result["checks"].values())


# ---------------------------------------------------------------- GS1

@pytest.mark.parametrize("number", ["5901234123457", "376130321109103420", "08806388269617", "96385074"])
def test_published_valid_gs1_check_digits(number):
    assert gs1_check_digit(number[:-1]) == int(number[-1])


def test_published_invalid_sscc():
    assert gs1_check_digit("37613032110910342") != 1
    result = parse_gs1("00376130321109103421")
    assert result["valid"] is False
    assert result["ais"] == {"00": "376130321109103421"}
    assert result["checks"] == {"syntax": True, "00_check_digit": False}
    assert "SSCC" in result["errors"][0]


def test_gs1_check_digit_refuses_non_digits():
    for bad in ("", "12a4", "١٢٣"):
        with pytest.raises(ValueError):
            gs1_check_digit(bad)


def test_wire_vector_gtin_and_best_before():
    symbology, text = split_aim_identifier("]C1010590123412345715210526")
    assert symbology == "]C1"
    parsed = classify_scan(text, symbology)
    assert parsed["type"] == "gs1" and parsed["valid"] is True
    assert parsed["ais"] == {"01": "05901234123457", "15": "210526"}
    assert parsed["dates"] == {"15": "2021-05-26"}


def test_wire_vector_sscc():
    symbology, text = split_aim_identifier("]C100376130321109103420\r\n".rstrip("\r\n"))
    parsed = classify_scan(text, symbology)
    assert parsed["valid"] is True
    assert parsed["ais"] == {"00": "376130321109103420"}
    assert parsed["checks"]["00_check_digit"] is True


def test_wire_vector_datamatrix_with_group_separator():
    symbology, text = split_aim_identifier("]d201059012341234571726123110LOT42\x1d21SN0001")
    parsed = classify_scan(text, symbology)
    assert symbology == "]d2"
    assert parsed["valid"] is True
    assert parsed["ais"] == {"01": "05901234123457", "17": "261231", "10": "LOT42", "21": "SN0001"}


def test_human_readable_form():
    parsed = parse_gs1("(01)05901234123457(17)261231(10)LOT42(21)SN0001")
    assert parsed["valid"] is True
    assert parsed["ais"] == {"01": "05901234123457", "17": "261231", "10": "LOT42", "21": "SN0001"}


def test_day_zero_means_end_of_month():
    parsed = parse_gs1("0105901234123457" + "17260200")
    assert parsed["valid"] is True
    assert parsed["dates"] == {"17": "2026-02-28"}


def test_impossible_date_fails_its_check_but_keeps_the_label():
    parsed = parse_gs1("0105901234123457" + "11260231" + "10LOT42")
    assert parsed["valid"] is False
    assert parsed["checks"] == {"syntax": True, "01_check_digit": True, "11_date": False}
    assert parsed["ais"]["10"] == "LOT42"


def test_month_thirteen_is_a_syntax_error():
    parsed = parse_gs1("17261301")
    assert parsed["valid"] is False and parsed["checks"]["syntax"] is False


def test_net_weight_is_given_with_its_decimals():
    parsed = parse_gs1("01059012341234573103001250")
    assert parsed["valid"] is True
    assert parsed["ais"]["3103"] == "001250"
    assert parsed["measures"] == {"3103": {"value": 1.25, "unit": "kg"}}


@pytest.mark.parametrize("symbology, text", [("]E0", "5901234123457"), ("]E4", "96385074"),
                                             ("]I1", "08806388269617")])
def test_gtin_symbologies_read_as_ai_01(symbology, text):
    parsed = classify_scan(text, symbology)
    assert parsed["type"] == "gs1" and parsed["valid"] is True
    assert parsed["ais"] == {"01": text.zfill(14)}


def test_gtin_with_wrong_check_digit():
    parsed = classify_scan("5901234123458", "]E0")
    assert parsed["valid"] is False
    assert parsed["checks"]["01_check_digit"] is False


def test_non_ascii_is_not_gs1():
    assert parse_gs1("01٠٥٩٠١٢٣٤١٢٣٤٥٧")["checks"]["syntax"] is False


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 17), st.integers(1, 9))
def test_sscc_with_one_changed_digit_fails(body, position, delta):
    sscc = body + str(gs1_check_digit(body))
    changed = sscc[:position] + str((int(sscc[position]) + delta) % 10) + sscc[position + 1:]
    assert parse_gs1("00" + sscc)["valid"]
    assert parse_gs1("00" + changed)["checks"]["00_check_digit"] is False


@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)),
       st.data())
def test_gtin_with_one_changed_digit_fails(body, data):
    gtin = body + str(gs1_check_digit(body))
    position = data.draw(st.integers(0, len(gtin) - 1))
    changed = gtin[:position] + str((int(gtin[position]) + data.draw(st.integers(1, 9))) % 10) + gtin[position + 1:]
    assert parse_gs1("01" + gtin.zfill(14))["valid"]
    assert parse_gs1("01" + changed.zfill(14))["checks"]["01_check_digit"] is False


@settings(max_examples=300)
@given(st.text(), st.sampled_from([None, "]C1", "]d2", "]E0", "]I1", "]Q1"]))
def test_any_text_parses_as_gs1_without_raising(text, symbology):
    result = parse_gs1(text, symbology)
    assert result["type"] == "gs1"
    assert result["valid"] == (not result["errors"])


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("0123456789()\x1dABC<"), max_size=60))
def test_gs1_shaped_text_parses_without_raising(text):
    parse_gs1(text)
    classify_scan(text, None)


# ---------------------------------------------------------------- MRZ

ICAO_TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
MRZ_PKG_TD3 = ["P<UTOMXHMWD<<EBDALRXHYM<<<<<<<<<<<<<<<<<<<<<", "A2222222<0UTO7108215F04120411000146819<<<<44"]
MRZ_PKG_TD1 = ["IDLIEID98754015<<<<<<<<<<<<<<<", "8205122M1906224LIE<<<<<<<<<<<6", "OSPELT<BECK<<MARISA<<<<<<<<<<<"]
# ICAO 9303 part 6 and part 5 specimens of the same holder, and part 11
# appendix D.2 (a document number longer than 9 characters).
ICAO_TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
ICAO_TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
ICAO_TD1_LONG_NUMBER = ["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2",
                        "STEVENSON<<PETER<JOHN<<<<<<<<<"]
ALL_CHECKS_TD3 = {"document_number": True, "birth_date": True, "expiry_date": True, "personal_number": True,
                  "composite": True}
ALL_CHECKS_TD12 = {"document_number": True, "birth_date": True, "expiry_date": True, "composite": True}


def test_icao_passport_specimen():
    result = parse_mrz(ICAO_TD3, today=TODAY)
    assert result["valid"] is True, result["errors"]
    assert result["format"] == "TD3"
    assert result["document_type"] == "P" and result["issuing_state"] == "UTO"
    assert result["document_number"] == "L898902C3"
    assert result["nationality"] == "UTO"
    assert result["birth_date"] == "1974-08-12"
    assert result["expiry_date"] == "2012-04-15"
    assert result["sex"] == "F"
    assert (result["surname"], result["given_names"]) == ("ERIKSSON", "ANNA MARIA")
    assert result["personal_number"] == "ZE184226B"
    assert result["checks"] == ALL_CHECKS_TD3
    assert result["errors"] == []


def test_mrz_package_passport_vector():
    result = parse_mrz(MRZ_PKG_TD3, today=TODAY)
    assert result["valid"] is True, result["errors"]
    assert result["checks"] == ALL_CHECKS_TD3
    assert result["document_number"] == "A2222222"
    assert (result["surname"], result["given_names"]) == ("MXHMWD", "EBDALRXHYM")
    assert (result["birth_date"], result["expiry_date"], result["sex"]) == ("1971-08-21", "2004-12-04", "F")
    assert result["personal_number"] == "1000146819"


def test_mrz_package_id_card_vector():
    result = parse_mrz(MRZ_PKG_TD1, today=TODAY)
    assert result["valid"] is True, result["errors"]
    assert result["format"] == "TD1"
    assert result["checks"] == ALL_CHECKS_TD12
    assert (result["document_type"], result["issuing_state"], result["nationality"]) == ("ID", "LIE", "LIE")
    assert result["document_number"] == "ID9875401"
    assert (result["surname"], result["given_names"]) == ("OSPELT BECK", "MARISA")
    assert (result["birth_date"], result["expiry_date"], result["sex"]) == ("1982-05-12", "2019-06-22", "M")


@pytest.mark.parametrize("lines, fmt", [(ICAO_TD2, "TD2"), (ICAO_TD1, "TD1")])
def test_icao_card_specimens(lines, fmt):
    result = parse_mrz(lines, today=TODAY)
    assert result["valid"] is True, result["errors"]
    assert result["format"] == fmt
    assert result["document_number"] == "D23145890"
    assert (result["birth_date"], result["expiry_date"]) == ("1974-08-12", "2012-04-15")
    assert result["checks"] == ALL_CHECKS_TD12


def test_long_document_number_continues_in_optional_data():
    result = parse_mrz(ICAO_TD1_LONG_NUMBER, today=TODAY)
    assert result["valid"] is True, result["errors"]
    assert result["document_number"] == "D23145890734"
    assert result["optional_data"] is None
    assert (result["birth_date"], result["expiry_date"]) == ("1934-07-12", "1995-07-12")


@pytest.mark.parametrize("lines, fmt", [
    (["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"], "TD3"),
    (["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"], "TD2")])
def test_icao_visa_specimens_have_no_composite(lines, fmt):
    """MRV-A and MRV-B (9303 part 7) share the passport and TD2 shapes."""
    result = parse_mrz(lines, today=TODAY)
    assert result["valid"] is True, result["errors"]
    assert (result["format"], result["document_type"], result["document_number"]) == (fmt, "V", "L8988901C")
    assert result["checks"] == {"document_number": True, "birth_date": True, "expiry_date": True}
    assert (result["birth_date"], result["expiry_date"], result["nationality"]) == ("1940-09-07", "1996-12-10", "XXX")


@pytest.mark.parametrize("line, index, check", [
    (1, 9, "document_number"), (1, 19, "birth_date"), (1, 27, "expiry_date"), (1, 42, "personal_number"),
    (1, 43, "composite")])
def test_each_wrong_check_digit_is_named(line, index, check):
    lines = list(ICAO_TD3)
    digit = lines[line][index]
    lines[line] = lines[line][:index] + str((int(digit) + 1) % 10) + lines[line][index + 1:]
    result = parse_mrz(lines, today=TODAY)
    assert result["valid"] is False
    # the composite covers the other check digits too, so it fails with them
    assert [name for name, ok in result["checks"].items() if not ok] == sorted({check, "composite"},
                                                                               key=list(ALL_CHECKS_TD3).index)
    assert result["errors"][0].startswith(f"{check} check digit")


def test_a_changed_data_character_breaks_its_check_and_the_composite():
    lines = [ICAO_TD3[0], ICAO_TD3[1].replace("7408122", "7408132")]
    result = parse_mrz(lines, today=TODAY)
    assert result["checks"]["birth_date"] is False and result["checks"]["composite"] is False
    assert result["checks"]["document_number"] is True


@pytest.mark.parametrize("text, digit", [("L898902C3", 6), ("740812", 2), ("120415", 9), ("ZE184226B<<<<<", 1),
                                         ("D23145890734", 9), ("", 0)])
def test_mrz_check_digit(text, digit):
    assert mrz_check_digit(text) == digit


def test_mrz_check_digit_refuses_lower_case():
    with pytest.raises(ValueError):
        mrz_check_digit("l898902c3")


def test_centuries_birth_in_the_past_expiry_up_to_twenty_years_ahead():
    lines = [ICAO_TD3[0], ICAO_TD3[1][:13] + "2001011" + "M" + "4501011" + ICAO_TD3[1][28:]]
    result = parse_mrz(lines, today=dt.date(2025, 6, 1))
    assert result["birth_date"] == "2020-01-01"
    assert result["expiry_date"] == "2045-01-01"
    later = parse_mrz(lines, today=dt.date(2019, 6, 1))
    assert later["birth_date"] == "1920-01-01"
    assert later["expiry_date"] == "1945-01-01"


def test_impossible_date_is_an_error_not_a_crash():
    body = "L898902C36UTO7413322F1204159ZE184226B<<<<<1"
    result = parse_mrz([ICAO_TD3[0], body + "0"], today=TODAY)
    assert result["birth_date"] is None
    assert result["valid"] is False
    assert any("birth date" in e for e in result["errors"])


@pytest.mark.parametrize("lines", [[], ["P<UTO"], ICAO_TD3[:1], [ICAO_TD3[0], ICAO_TD2[1]],
                                   [ICAO_TD3[0].lower(), ICAO_TD3[1]], ICAO_TD1[:2] + ICAO_TD1])
def test_not_an_mrz(lines):
    result = parse_mrz(lines, today=TODAY)
    assert result["format"] is None and result["valid"] is False and result["errors"]


def test_looks_like_mrz_line():
    assert all(looks_like_mrz_line(line) for line in ICAO_TD3 + ICAO_TD2 + ICAO_TD1)
    assert not looks_like_mrz_line(ICAO_TD3[0][:40])
    assert not looks_like_mrz_line(ICAO_TD3[0].replace("<", " "))
    assert not looks_like_mrz_line("")


mrz_line = st.sampled_from([30, 36, 44]).flatmap(
    lambda n: st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<", min_size=n, max_size=n))


@settings(max_examples=300)
@given(st.one_of(st.lists(mrz_line, min_size=2, max_size=3), st.lists(st.text(), max_size=4)))
def test_any_lines_parse_without_raising(lines):
    result = parse_mrz(lines, today=TODAY)
    assert result["valid"] == (not result["errors"])
    if result["valid"]:
        assert all(result["checks"].values())


# ---------------------------------------------------------------- classify

@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r"])
def test_mrz_in_a_2d_code(separator):
    parsed = classify_scan(separator.join(ICAO_TD3), "]Q1")
    assert parsed["type"] == "mrz"
    assert parsed["format"] == "TD3" and parsed["valid"] is True


def test_three_line_mrz_in_a_2d_code():
    parsed = classify_scan("\r\n".join(ICAO_TD1) + "\r\n", "]d1")
    assert parsed["type"] == "mrz" and parsed["format"] == "TD1"


def test_container_scan_even_with_a_bad_check_digit():
    good = classify_scan("TCNU7200794", "]C0")
    assert good["type"] == "container" and good["valid"] is True
    bad = classify_scan("TCNU7200795", None)
    assert bad["type"] == "container" and bad["valid"] is False


def test_gs1_symbology_always_gives_gs1():
    parsed = classify_scan("hello", "]C1")
    assert parsed["type"] == "gs1" and parsed["valid"] is False


def test_unprefixed_gs1_needs_a_key():
    assert classify_scan("0105901234123457" + "10LOT42", None)["type"] == "gs1"
    assert classify_scan("10LOT42", None) is None  # parses, but so would much ordinary text
    assert classify_scan("5901234123457", None)["ais"] == {"01": "05901234123457"}
    assert classify_scan("5901234123458", None) is None


@pytest.mark.parametrize("text, symbology", [("LBX-BAG-2025-000123", "]Q1"), ("hello world", None),
                                             ("10LOT42", "]C0"), ("", None), ("1234567890", "]I1")])
def test_ordinary_text_is_not_classified(text, symbology):
    assert classify_scan(text, symbology) is None


@pytest.mark.parametrize("raw, expected", [("]C1abc", ("]C1", "abc")), ("]Q3", ("]Q3", "")),
                                           ("abc", (None, "abc")), ("]", (None, "]")), ("]]1x", (None, "]]1x")),
                                           ("]e0123", ("]e0", "123"))])
def test_split_aim_identifier(raw, expected):
    assert split_aim_identifier(raw) == expected


@settings(max_examples=500)
@given(st.text(), st.one_of(st.none(), st.sampled_from(["]C0", "]C1", "]d1", "]d2", "]Q1", "]Q3", "]E0",
                                                          "]E4", "]I1", "]e0", "]A0"])))
def test_any_scan_classifies_without_raising(text, symbology):
    parsed = classify_scan(text, symbology)
    assert parsed is None or parsed["type"] in ("container", "gs1", "mrz")
    split_aim_identifier(text)
