"""What the network may send as JSON: nesting is bounded (counted without
recursion), and NaN, Infinity and numbers beyond a float are refused."""

from __future__ import annotations

import pytest

from common.web.strict_json import MAX_DEPTH, JsonRefused, loads, nesting_depth


def test_a_hundred_thousand_deep_array_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(JsonRefused, match="deep"):
        loads("[" * 100_000 + "]" * 100_000)


def test_nesting_up_to_the_bound_parses() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert nesting_depth(text) == MAX_DEPTH
    assert loads(text.encode()) is not None
    with pytest.raises(JsonRefused):
        loads("{\"a\":" * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count() -> None:
    text = '{"note": "[[[[{{{{ \\" [[[[", "x": ["]]]]"]}'
    assert nesting_depth(text) == 2
    assert loads(text) == {"note": '[[[[{{{{ " [[[[', "x": ["]]]]"]}
    assert nesting_depth('"' + "[" * 1000) == 0  # an unclosed string runs to the end, linearly


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"w": -Infinity}', "1e999", "[-1e400]"])
def test_non_finite_numbers_are_refused(text: str) -> None:
    with pytest.raises(JsonRefused):
        loads(text)


def test_ordinary_json_is_unchanged() -> None:
    assert loads(b'{"a": [1, 2.5, -3e10, null, true, "\\u00e9"]}') == {"a": [1, 2.5, -3e10, None, True, "é"]}
    assert loads("[1.5]".encode("utf-16")) == [1.5]
