"""``stream``: indicators that send a configurable line at every display update, described by the technician.

Many indicators stream a line whose layout is a setting of the indicator
(Rice Lake's and Cardinal's fixed formats, or a custom one). Instead of one
driver per layout, the technician describes the frame (:class:`FrameSpec`):
a template such as ``<STX>{sign:1}{weight:7}{unit:1}{mode:1}{status:1}``
or a regular expression with the same named fields, what the unit, mode
and status codes mean, and which byte ends a frame. Presets
(:data:`PRESETS`) hold the documented formats. Every frame must match the
description whole; what does not is dropped and counted. The protocol has
no commands (zero and tare are front-panel keys). See docs/protocols.md
section 8.
"""

from __future__ import annotations

import re
import re._parser as sre  # the stdlib's own regex parser: to refuse nested repeats before they run
from dataclasses import dataclass, replace
from typing import Any

from drivers.framing import LineFramer
from drivers.scale import REPORTED_UNITS, ScaleDriver, UnitError, normalize, scale_reading

FIELDS = ("weight", "sign", "unit", "mode", "status", "tare")
#: what a template field matches, one character at a time
_FIELD_CLASS = {"weight": r"[ 0-9.+-]", "tare": r"[ 0-9.+-]", "sign": r"[ +-]", "unit": r"[A-Za-z ]",
                "mode": r"[A-Za-z ]", "status": r"[A-Za-z ]"}
#: control characters a template names in angle brackets
CONTROLS = {"NUL": 0x00, "SOH": 0x01, "STX": 0x02, "ETX": 0x03, "EOT": 0x04, "ENQ": 0x05, "ACK": 0x06,
            "HT": 0x09, "LF": 0x0A, "CR": 0x0D, "DLE": 0x10, "NAK": 0x15, "ESC": 0x1B, "FS": 0x1C, "GS": 0x1D,
            "RS": 0x1E, "US": 0x1F, "SP": 0x20}
ENDS = {"line": b"\r\n", "etx": b"\x03"}
UNIT_NAMES = (*REPORTED_UNITS, "oz", "mg")
DEFAULT_UNITS = (("kg", "kg"), ("lb", "lb"), ("g", "g"), ("t", "t"), ("oz", "oz"),
                 ("K", "kg"), ("L", "lb"), ("G", "g"), ("O", "oz"))
MAX_TEMPLATE = 200
MAX_FRAME = 128

_TOKEN = re.compile(r"\{(?P<field>[a-z]+)(?::(?P<width>\d{1,3}))?\}|<(?P<control>[A-Z]{2,3})>")
_JS_GROUP = re.compile(r"(?<!\\)\(\?<(?![=!])")


class FrameError(ValueError):
    """A frame description that cannot work; ``key`` names the setting."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key, self.problem = key, problem


class StreamFormatError(ValueError):
    """A line that does not match the frame, or whose fields do not read; the message says why."""


def compile_template(template: str) -> str:
    """The regular expression a template stands for: literal text, ``{field}`` / ``{field:width}``, ``<STX>``."""
    parts: list[str] = []
    seen: set[str] = set()
    pos = 0
    for match in _TOKEN.finditer(template):
        parts.append(re.escape(template[pos:match.start()]))
        pos = match.end()
        if match["control"]:
            code = CONTROLS.get(match["control"])
            parts.append(re.escape(chr(code)) if code is not None else re.escape(match[0]))
            continue
        name = match["field"]
        if name not in _FIELD_CLASS:
            raise FrameError("template", f"{{{name}}} is not a field ({', '.join(FIELDS)})")
        if name in seen:
            raise FrameError("template", f"{{{name}}} appears twice")
        seen.add(name)
        width = match["width"]
        if width is not None and not 1 <= int(width) <= MAX_FRAME:
            raise FrameError("template", f"{{{name}:{width}}}: a width is 1-{MAX_FRAME}")
        parts.append(f"(?P<{name}>{_FIELD_CLASS[name]}{{{width}}})" if width else f"(?P<{name}>{_FIELD_CLASS[name]}+?)")
    parts.append(re.escape(template[pos:]))
    return "".join(parts)


def _nested_repeat(items: Any, inside: bool = False) -> bool:
    """Whether a parsed pattern repeats something that itself repeats (``(a+)+``): the shape whose
    backtracking explodes on a line that almost matches."""
    for op, arg in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, body = arg
            repeats = high > 1
            if repeats and inside:
                return True
            if _nested_repeat(body, inside or repeats):
                return True
        elif op == sre.SUBPATTERN and _nested_repeat(arg[-1], inside):
            return True
        elif op == sre.BRANCH and any(_nested_repeat(branch, inside) for branch in arg[1]):
            return True
        elif op in (sre.ASSERT, sre.ASSERT_NOT) and _nested_repeat(arg[1], inside):
            return True
        elif op in (sre.ATOMIC_GROUP, sre.POSSESSIVE_REPEAT):
            continue  # never backtracks
    return False


def check_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a technician's regular expression (``(?<name>…)`` is taken as ``(?P<name>…)``), refusing
    what cannot describe a frame: no ``weight`` group, unknown group names, nested repeats."""
    if not pattern or len(pattern) > 2 * MAX_TEMPLATE:
        raise FrameError("pattern", f"must be 1-{2 * MAX_TEMPLATE} characters")
    pattern = _JS_GROUP.sub("(?P<", pattern)
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise FrameError("pattern", f"not a regular expression: {exc}") from None
    unknown = set(compiled.groupindex) - set(FIELDS)
    if unknown:
        raise FrameError("pattern", f"unknown field {sorted(unknown)[0]!r} (fields: {', '.join(FIELDS)})")
    if "weight" not in compiled.groupindex:
        raise FrameError("pattern", "has no (?P<weight>…) field")
    if _nested_repeat(sre.parse(pattern)):
        raise FrameError("pattern", "repeats a group that repeats itself (like (a+)+): it could take "
                                    "forever on a line that almost matches")
    return compiled


@dataclass(frozen=True)
class FrameSpec:
    """A stream's frame: the layout (a template or a pattern) and what its codes mean.

    Settings (the keys of a device's ``frame`` table, docs/protocols.md section 8):
    ``preset`` (alone), or ``template`` / ``pattern``; ``end`` (``line``:
    CR/LF, or ``etx``); ``units`` (code → kg/lb/g/t/oz/mg) or ``unit`` (a
    frame without a unit field); ``net``, ``motion``, ``out_of_range``,
    ``invalid`` (the mode and status codes with that meaning); ``decimals``
    (implied when the weight carries no point).
    """

    template: str | None = None
    pattern: str | None = None
    end: str = "line"
    units: tuple[tuple[str, str], ...] = DEFAULT_UNITS
    unit: str | None = None
    net: tuple[str, ...] = ("N", "n", "NT", "NET", "net")
    motion: tuple[str, ...] = ("M", "m", "MO", "mo")
    out_of_range: tuple[str, ...] = ("O", "o", "OC", "oc")
    invalid: tuple[str, ...] = ("I", "i", "E", "e", "EE", "ee")
    decimals: int = 0
    preset: str | None = None

    def __post_init__(self) -> None:
        if (self.template is None) == (self.pattern is None):
            raise FrameError("template", "give a template or a pattern (one of the two)")
        if self.template is not None and not 1 <= len(self.template) <= MAX_TEMPLATE:
            raise FrameError("template", f"must be 1-{MAX_TEMPLATE} characters")
        if self.end not in ENDS:
            raise FrameError("end", f"must be one of {', '.join(ENDS)}")
        for code, unit in self.units:
            if unit not in UNIT_NAMES or not code.strip() or len(code) > 8:
                raise FrameError("units", f"{code!r} = {unit!r}: a code of 1-8 characters for one of "
                                          f"{', '.join(UNIT_NAMES)}")
        if self.unit is not None and self.unit not in UNIT_NAMES:
            raise FrameError("unit", f"must be one of {', '.join(UNIT_NAMES)}")
        if not 0 <= self.decimals <= 6:
            raise FrameError("decimals", "must be 0-6")
        for key in ("net", "motion", "out_of_range", "invalid"):
            if any(not 1 <= len(code) <= 8 for code in getattr(self, key)):
                raise FrameError(key, "codes are 1-8 characters")
        regex = self.regex()
        if "unit" not in regex.groupindex and self.unit is None:
            raise FrameError("unit", "the frame has no {unit} field: say which unit it weighs in")

    def regex(self) -> re.Pattern[str]:
        """The compiled expression a whole frame must match."""
        if self.template is not None:
            return check_pattern(compile_template(self.template))
        assert self.pattern is not None
        return check_pattern(self.pattern)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> "FrameSpec":
        """From a device's ``frame`` table (the config file's, a form's, an event's); raises :class:`FrameError`."""
        if not isinstance(table, dict):
            raise FrameError("frame", "must be a table")
        if "preset" in table:
            if set(table) != {"preset"}:
                raise FrameError("preset", "a preset stands alone (describe the frame instead to change it)")
            if table["preset"] not in PRESETS:
                raise FrameError("preset", f"{table['preset']!r} is not one of {', '.join(PRESETS)}")
            return PRESETS[table["preset"]]
        kinds: dict[str, Any] = {"template": str, "pattern": str, "end": str, "units": dict, "unit": str,
                                 "net": list, "motion": list, "out_of_range": list, "invalid": list, "decimals": int}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in kinds:
                raise FrameError(key, f"is not a frame setting (settings: preset, {', '.join(kinds)})")
            if not isinstance(value, kinds[key]) or isinstance(value, bool):
                raise FrameError(key, f"must be a {kinds[key].__name__}")
            if kinds[key] is list:
                if not all(isinstance(code, str) for code in value) or len(value) > 16:
                    raise FrameError(key, "must be a list of up to 16 strings")
                value = tuple(value)
            elif key == "units":
                if not all(isinstance(u, str) for u in value.values()) or len(value) > 32:
                    raise FrameError(key, "must map up to 32 codes to unit names")
                value = tuple(value.items())
            values[key] = value
        return cls(**values)

    def as_table(self) -> dict[str, Any]:
        """The ``frame`` table :meth:`from_table` reads back (a preset by its name)."""
        if self.preset is not None:
            return {"preset": self.preset}
        table: dict[str, Any] = {"template": self.template} if self.template is not None else {"pattern": self.pattern}
        defaults = FrameSpec(template="{weight}", unit="kg")
        for key in ("end", "unit", "net", "motion", "out_of_range", "invalid", "decimals", "units"):
            value = getattr(self, key)
            if key != "unit" and value == getattr(defaults, key):
                continue
            if value is None:
                continue
            table[key] = dict(value) if key == "units" else list(value) if isinstance(value, tuple) else value
        return table


def _preset(name: str, **settings: Any) -> FrameSpec:
    return replace(FrameSpec(**settings), preset=name)


#: Cardinal's two-letter units (the short ton, ``tn``, is not reported); a code is looked up as sent, then stripped
CARDINAL_UNITS = (("lb", "lb"), ("kg", "kg"), ("g", "g"), ("t", "t"), ("oz", "oz"))
#: documented formats, by preset name (docs/protocols.md section 8 gives the sources)
PRESETS: dict[str, FrameSpec] = {
    # Rice Lake Weighing Systems (RLWS): <STX><POL><wwwwwww><UNIT><G/N><S><CR><LF>
    "rice-lake": _preset("rice-lake", template="<STX>{sign:1}{weight:7}{unit:1}{mode:1}{status:1}",
                         units=(("L", "lb"), ("K", "kg"), ("G", "g"), ("O", "oz")),
                         net=("N",), motion=("M",), out_of_range=("O",), invalid=("I",)),
    # Cardinal, as Rice Lake indicators send it: <CR><POL><wwwwww><S><SP><UNIT><SP><G/N><SP><SP><ETX>
    "cardinal": _preset("cardinal", template="<CR>{sign:1}{weight:7}{status:1} {unit:2} {mode:1}  ", end="etx",
                        units=CARDINAL_UNITS, net=("n",), motion=("m",), out_of_range=("o",), invalid=()),
    # Cardinal 190/225 "SB-400" / scoreboard: <s><xxxxxx><d><uu><m><cc><CR>
    "cardinal-sb400": _preset("cardinal-sb400", template="{sign:1}{weight}{unit:2}{mode:1}{status:2}",
                              units=CARDINAL_UNITS, net=("N",), motion=("MO",), out_of_range=("OC",),
                              invalid=("EE", "ee")),
}


def parse_stream_frame(spec: FrameSpec, regex: re.Pattern[str], line: bytes) -> dict[str, Any]:
    """Match one frame against the description and read its fields.

    Returns ``weight`` (signed, None only if ``invalid``), ``unit`` (a unit
    name), ``net``, ``motion``, ``out_of_range``, ``invalid`` and ``tare``
    (or None). Raises :class:`StreamFormatError`.
    """
    text = line.decode("latin-1")
    match = regex.fullmatch(text)
    if match is None:
        raise StreamFormatError("does not match the frame")
    fields = match.groupdict()
    status = (fields.get("status") or "").strip()
    mode = (fields.get("mode") or "").strip()
    invalid = status in spec.invalid
    weight = _number(fields["weight"], fields.get("sign"), spec.decimals, "weight")
    tare = _number(fields["tare"], None, spec.decimals, "tare") if fields.get("tare") else None
    if fields.get("unit") is not None:
        code = fields["unit"].strip() or fields["unit"]
        unit = dict(spec.units).get(fields["unit"], dict(spec.units).get(code))
        if unit is None:
            raise StreamFormatError(f"unit code {code!r} is not one the frame maps")
    else:
        unit = spec.unit
    return {"weight": weight, "unit": unit, "net": mode in spec.net, "motion": status in spec.motion,
            "out_of_range": status in spec.out_of_range, "invalid": invalid, "tare": tare}


def _number(text: str, sign: str | None, decimals: int, what: str) -> float:
    digits = text.replace(" ", "")
    negative = digits.startswith("-") or (sign or "").strip() == "-"
    digits = digits.lstrip("+-")
    if digits.endswith("."):
        digits = digits[:-1]  # "the decimal sent at the end of the weight"
    if not digits or digits.count(".") > 1 or not digits.replace(".", "").isdigit():
        raise StreamFormatError(f"{what} {text.strip()!r} is not a number")
    value = float(digits) if "." in digits else int(digits) / 10 ** decimals
    return -value if negative and value else value + 0.0


def stream_reading(frame: dict[str, Any]) -> dict[str, Any]:
    """The scale reading (docs/contract.md) for a parsed frame; an invalid one raises :class:`StreamFormatError`."""
    if frame["invalid"]:
        raise StreamFormatError("the indicator marks the weight invalid")
    weight, unit = normalize(frame["weight"], frame["unit"])
    tare = None
    if frame["net"] and frame["tare"]:
        tare = normalize(frame["tare"], frame["unit"])[0]
    if frame["out_of_range"]:
        return scale_reading(None, unit, False, tare, "underload" if weight < 0 else "overload")
    return scale_reading(weight, unit, not frame["motion"], tare)


class StreamScale(ScaleDriver):
    """An indicator streaming the frame ``frame`` describes (the Rice Lake format if none is given)."""

    name = "stream"
    default_preset = "rice-lake"

    def __init__(self, *args: Any, frame: FrameSpec | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame = frame or PRESETS[self.default_preset]
        self._regex = self.frame.regex()
        self._framer = LineFramer(self.drop, max_length=MAX_FRAME, ends=ENDS[self.frame.end])

    def on_open(self) -> None:
        self._framer.clear()

    def handle_bytes(self, data: bytes) -> None:
        for line in list(self._framer.feed(data)):
            try:
                reading = stream_reading(parse_stream_frame(self.frame, self._regex, line))
            except (StreamFormatError, UnitError) as exc:
                self.drop(str(exc), line)
                continue
            self.emit_reading(reading, line)


class RiceLakeStreamScale(StreamScale):
    """A Rice Lake indicator streaming its own (RLWS) format."""

    name = "rice-lake-stream"


class CardinalStreamScale(StreamScale):
    """An indicator streaming the Cardinal format (``<CR>`` … ``<ETX>``)."""

    name = "cardinal-stream"
    default_preset = "cardinal"
