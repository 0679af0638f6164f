"""Refused request bodies are told in a technician's words, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from common.web.routing import obj
from common.web.schema_words import plain

SCHEMA = obj({
    "id": {"type": "string", "pattern": r"^[A-Za-z0-9_.-]{1,64}$"},
    "port": {"type": "string"},
    "instrument": obj({"max": {"type": "number", "exclusiveMinimum": 0}}),
    "baudrate": {"type": "integer", "minimum": 50, "maximum": 4_000_000},
    "parity": {"enum": ["N", "E", "O"]},
    "calibration_interval_days": {"type": ["integer", "null"], "minimum": 1},
    "weights": {"type": "array", "minItems": 1, "items": obj({
        "nominal": {"type": "number", "exclusiveMinimum": 0},
        "certificate_date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "certificate": {"type": "string", "minLength": 1},
    })},
}, required=("id", "port"))


def refusal(body: dict[str, Any]) -> tuple[str, str]:
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(body), key=lambda e: list(e.absolute_path))
    return plain(errors[0])


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"id": "a", "port": "p", "instrument": {"max": 0}}, "instrument.max", "Instrument max must be more than 0"),
    ({"id": "scale 1", "port": "p"}, "id", "Id may hold only letters, digits, '_', '.' and '-', 1 to 64 of them"),
    ({"id": "a"}, "port", "Port is missing"),
    ({"id": "a", "port": "p", "baudrate": 12}, "baudrate", "Baudrate must be at least 50"),
    ({"id": "a", "port": "p", "baudrate": "fast"}, "baudrate", "Baudrate must be a whole number"),
    ({"id": "a", "port": "p", "parity": "X"}, "parity", "Parity must be one of 'N', 'E', 'O'"),
    ({"id": "a", "port": "p", "calibration_interval_days": 0}, "calibration_interval_days",
     "Calibration interval days must be at least 1"),
    ({"id": "a", "port": "p", "calibration_interval_days": "x"}, "calibration_interval_days",
     "Calibration interval days must be a whole number or empty"),
    ({"id": "a", "port": "p", "weights": [{"nominal": 5}, {"nominal": -1}]}, "weights.1.nominal",
     "Weights #2 nominal must be more than 0"),
    ({"id": "a", "port": "p", "weights": [{"certificate_date": "15/01/2026"}]}, "weights.0.certificate_date",
     "Weights #1 certificate date must be a date as YYYY-MM-DD"),
    ({"id": "a", "port": "p", "weights": [{"certificate": ""}]}, "weights.0.certificate",
     "Weights #1 certificate must not be empty"),
    ({"id": "a", "port": "p", "weights": []}, "weights", "Weights must have at least one entry"),
    ({"id": "a", "port": "p", "colour": "red"}, "body", "Colour is not a field this request takes"),
])
def test_a_refusal_names_the_field_and_says_what_it_must_be(body: dict[str, Any], field: str, message: str) -> None:
    where, text = refusal(body)
    assert where == field
    # the field's path first (a screen puts the rest beside that field), then plain words
    assert text == f"{field}: {message}"
    assert "regex" not in text and "^" not in text and "less than or equal" not in text
