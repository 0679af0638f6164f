"""A JSON Schema refusal in the words of the person who filled in the form.

jsonschema says "0 is less than or equal to the minimum of 0" or
"'scale 1' does not match '^[A-Za-z0-9_.-]{1,64}$'": true, but a
technician at a lane has to translate it. :func:`plain` names the field
the way the form does and says what it must be ("Max must be more than
0", "Id may hold only letters, digits, '_', '.' and '-', 1 to 64 of
them"); anything it does not know keeps jsonschema's own message.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import ValidationError

_TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "yes or no",
          "array": "a list", "object": "a group of fields", "null": "empty"}
#: a pattern of one character class and a length, the shape of most identifiers
_CLASS_PATTERN = re.compile(r"^\^\[(?P<chars>[^\]]+)\](?:\{(?P<low>\d+),(?P<high>\d+)\}|(?P<plus>\+))\$$")
_RANGES = {"A-Z": "capital letters", "a-z": "small letters", "0-9": "digits"}
_FORMATS = {"date": "a date as YYYY-MM-DD", "date-time": "a date and time (ISO 8601)", "email": "an e-mail address",
            "uri": "a web address"}
_MAX_LISTED = 12


def field_label(path: list[str | int]) -> str:
    """``["weights", 0, "nominal"]`` → "Weights #1 nominal": a list entry counted from 1, ``_`` as spaces."""
    words = [f"#{p + 1}" if isinstance(p, int) else str(p).replace("_", " ") for p in path]
    text = " ".join(words) or "the request"
    return text[0].upper() + text[1:]


def _characters(chars: str) -> str:
    """``A-Za-z0-9_.-`` → "letters, digits, '_', '.' and '-'"."""
    kinds: list[str] = []
    for span, name in _RANGES.items():
        if span in chars:
            kinds.append(name)
            chars = chars.replace(span, "")
    if "capital letters" in kinds and "small letters" in kinds:
        kinds = ["letters", *[k for k in kinds if not k.endswith("letters")]]
    kinds += [f"'{c}'" for c in chars.replace("\\", "")]
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"


def _pattern(pattern: str, schema: dict[str, Any]) -> str:
    if schema.get("format") in _FORMATS:
        return f"must be {_FORMATS[schema['format']]}"
    shape = _CLASS_PATTERN.match(pattern)
    if shape is None:
        return "is not written the way it must be" + (f": {schema['description']}" if "description" in schema else "")
    length = "" if shape["plus"] else f", {shape['low']} to {shape['high']} of them"
    return f"may hold only {_characters(shape['chars'])}{length}"


def _listed(values: list[Any]) -> str:
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:_MAX_LISTED])
    return shown + (", …" if len(values) > _MAX_LISTED else "")


def _words(error: ValidationError) -> str:
    """What the value must be, from the keyword that refused it."""
    kind, limit, schema = error.validator, error.validator_value, error.schema
    if not isinstance(schema, dict):
        schema = {}
    simple: dict[str, str] = {
        "minimum": f"must be at least {limit}", "maximum": f"must be at most {limit}",
        "exclusiveMinimum": f"must be more than {limit}", "exclusiveMaximum": f"must be less than {limit}",
        "maxLength": f"must be at most {limit} characters long", "maxItems": f"takes at most {limit} entries",
        "minItems": "must have at least one entry" if limit == 1 else f"must have at least {limit} entries",
        "minLength": "must not be empty" if limit == 1 else f"must be at least {limit} characters long",
        "multipleOf": f"must be a multiple of {limit}", "uniqueItems": "lists the same entry twice",
        "const": f"must be {limit!r}", "format": f"must be {_FORMATS.get(str(limit), limit)}",
    }
    if kind in simple:
        return simple[kind]
    if kind == "type":
        names = [_TYPES.get(t, t) for t in (limit if isinstance(limit, list) else [limit])]
        return f"must be {' or '.join(names)}"
    if kind == "enum":
        return f"must be one of {_listed(list(limit))}"
    if kind == "pattern":
        return _pattern(str(limit), schema)
    if kind in ("oneOf", "anyOf"):
        return "does not fit any of the forms it may take"
    return error.message


def plain(error: ValidationError) -> tuple[str, str]:
    """``(field, message)`` for a refused body: the field's dotted path (what a
    screen puts the message beside) and "<path>: <Field> must be …"."""
    path: list[str | int] = list(error.absolute_path)
    if error.validator == "required":
        missing = next((name for name in error.validator_value
                        if isinstance(error.instance, dict) and name not in error.instance), None)
        path.append(str(missing))
        words = "is missing"
    elif error.validator == "additionalProperties":  # no form has a box for it: the message goes on the whole
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {}))) if isinstance(
            error.instance, dict) else []
        where = ".".join(str(p) for p in path) or "body"
        return where, f"{where}: {field_label([*path, *extra[:1]])} is not a field this request takes"
    else:
        words = _words(error)
    where = ".".join(str(p) for p in path) or "body"
    return where, f"{where}: {field_label(path)} {words}"
