"""Just enough PDF reading to check what fpdf2 wrote, without a PDF library.

Inflates the content streams, maps glyph ids back to text through each
embedded font's ToUnicode map (core fonts are plain Latin-1), and returns
the strings shown, one per text operator. Good for fpdf2's output only.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM_START = re.compile(rb"/Length (\d+).*?stream\r?\n", re.S)
_FONT_REF = re.compile(rb"/(F\d+) (\d+) 0 R")
_SHOW = re.compile(rb"/(F\d+) [\d.]+ Tf|(\((?:\\.|[^\\)])*\)) ?Tj|\[((?:\\.|[^\]\\])*)\] ?TJ", re.S)
_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _stream(body: bytes) -> bytes:
    """The stream's bytes, cut by its /Length: compressed data may itself end
    in a CR byte, which a search for "endstream" would wrongly strip."""
    match = _STREAM_START.search(body)
    if match is None:
        return b""
    data = body[match.end():match.end() + int(match.group(1))]
    return zlib.decompress(data) if b"/FlateDecode" in body[:match.start()] else data


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return _ESCAPES.get(escaped, escaped)
    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal[1:-1], flags=re.S)


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset in range(int(hi, 16) - int(lo, 16) + 1):
                mapping[int(lo, 16) + offset] = chr(int(dst, 16) + offset)
    return mapping


def pdf_strings(pdf: bytes) -> list[str]:
    """Every string the PDF shows, decoded, in content-stream order."""
    objects = {int(num): body for num, body in _OBJECT.findall(pdf)}
    cmaps: dict[bytes, dict[int, str] | None] = {}
    for name, num in _FONT_REF.findall(b"".join(objects.values())):
        match = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(num)])
        cmaps[name] = _cmap(_stream(objects[int(match.group(1))])) if match else None
    shown: list[str] = []
    for body in objects.values():
        if b"/Length" not in body or b"/Subtype" in body[:200]:
            continue  # not a page's content stream
        font: dict[int, str] | None = None
        for name, single, array in _SHOW.findall(_stream(body)):
            if name:
                font = cmaps.get(name)
                continue
            raw = b"".join(_unescape(s) for s in ([single] if single else _STRING.findall(array)))
            if font is None:
                shown.append(raw.decode("latin-1"))
            else:
                shown.append("".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2)))
    return shown


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_strings(pdf))
