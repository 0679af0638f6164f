"""The page every lanebox document is printed on: A4, title and lane on
every page, tables, event lists and the chain's verification.

Names on a lorry's papers are not all Latin-1 (Łódź, İskenderun), so the
documents use the DejaVu fonts when the machine has them; without them
they fall back to the PDF core fonts with the text reduced to Latin-1
rather than fail.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos
from PIL import Image, UnidentifiedImageError

from common.clock import parse_iso, zone

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

_UNICODE_FONTS = (("DejaVu", "", "DejaVuSans.ttf"), ("DejaVu", "B", "DejaVuSans-Bold.ttf"),
                  ("DejaVuMono", "", "DejaVuSansMono.ttf"))

_ASCII_FOR = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
              "\u2026": "...", "\u2265": ">=", "\u2264": "<=", "\u2022": "*", "\u2192": "->",
              "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i"}

GREY = (110, 110, 110)

#: a stored photo by its SHA-256: its image bytes, words said in its place (a photo of a
#: person erased, a damaged one), or None (not on this box). Bytes, not a path: a photo of
#: a person is stored sealed, and only its reader can open it.
PhotoPath = Callable[[str], bytes | str | None]

#: the longest side of a photo as printed: enough to recognise it, small enough that a
#: report with dozens of 10 MB photos stays a file one can mail
THUMBNAIL_PX = 360

def latin1(text: str) -> str:
    """``text`` as the core fonts can print it: accents kept where Latin-1 has
    them, dropped where it has not (Ł → ?, ş → s), punctuation spelt out."""
    text = "".join(_ASCII_FOR.get(ch, ch) for ch in text)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)

class Document(FPDF):
    """A4, the title and lane on every page, page numbers and time below.

    Times are printed in the lane's zone (``lane["timezone"]``), to the second, with the
    zone's abbreviation: a reader compares them with the clock on the wall, not with UTC.
    The evidence table alone keeps each event's stored UTC time as it was hashed."""

    def __init__(self, title: str, lane: dict[str, Any], generated_at: str, font_dir: Path | None = FONT_DIR) -> None:
        super().__init__(format="A4")
        self.zone = zone(lane.get("timezone") or "UTC")
        self.doc_title, self.generated_at = title, self.when(generated_at)
        self.unicode = font_dir is not None and all((font_dir / file).is_file() for _, _, file in _UNICODE_FONTS)
        if self.unicode:
            for family, style, file in _UNICODE_FONTS:
                self.add_font(family, style, str(font_dir / file))
        self.sans, self.mono = ("DejaVu", "DejaVuMono") if self.unicode else ("Helvetica", "Courier")
        self.lane_line = self.t(f"Lane {lane['id']} - {lane['name']}. Times are local ({self.zone.key}).")
        self.set_title(self.t(title))
        self.set_creator("lanebox")
        self.set_creation_date(datetime.fromisoformat(generated_at))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(12, 12, 12)
        self.add_page()

    def when(self, iso: str | None) -> str | None:
        """A stored UTC time as local time to the second with the zone (``2026-11-29 20:40:05 CET``)."""
        if not iso:
            return None
        moment = parse_iso(iso).astimezone(self.zone)
        return f"{moment:%Y-%m-%d %H:%M:%S} {moment.tzname()}"

    def t(self, value: Any) -> str:
        """Any value as printable text ("-" for nothing)."""
        text = "-" if value is None or value == "" else str(value)
        return text if self.unicode else latin1(text)

    def header(self) -> None:
        self.set_font(self.sans, "B", 14)
        self.cell(0, 7, self.t(self.doc_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.lane_line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(self.sans, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.t(f"Generated {self.generated_at} by lanebox from the lane's event log. "
                               f"Page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.sans, "B", 11)
        self.cell(0, 7, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)

    def paragraph(self, text: str, mono: bool = False) -> None:
        self.set_font(self.mono if mono else self.sans, "", 8 if mono else 9)
        self.multi_cell(0, 4.5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)

    def subheading(self, text: str) -> None:
        """A bold line that opens one record inside a section (a bag, a finding, a seizure)."""
        self.set_font(self.sans, "B", 9.5)
        self.multi_cell(0, 5.5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)

    def fields(self, pairs: Iterable[tuple[str, Any]]) -> None:
        """Label and value, one pair a line."""
        self.set_font(self.sans, "", 9)
        with self.table(col_widths=(45, 141), first_row_as_headings=False, borders_layout="NONE",
                        line_height=4.8, text_align="LEFT", padding=(0.6, 1)) as table:
            for label, value in pairs:
                row = table.row()
                row.cell(self.t(label), style=FontFace(emphasis="B"))
                row.cell(self.t(value))

    def grid(self, headings: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float],
             mono: Sequence[int] = (), right: Sequence[int] = ()) -> None:
        """A bordered table, its heading row repeated on each page; columns
        in ``mono`` are set in the monospaced font (hashes), ``right`` right-aligned (money)."""
        self.set_font(self.sans, "", 7.5)
        mono_face = FontFace(family=self.mono, size_pt=7)
        with self.table(col_widths=tuple(widths), line_height=4, text_align="LEFT", padding=(0.8, 1),
                        headings_style=FontFace(emphasis="B", fill_color=(232, 232, 232))) as table:
            table.row([self.t(h) for h in headings])
            for values in rows:
                row = table.row()
                for i, value in enumerate(values):
                    row.cell(self.t(value), style=mono_face if i in mono else None,
                             align="RIGHT" if i in right else None)
        self.set_font(self.sans, "", 9)
        self.ln(1)

    def event_table(self, events: Sequence[dict[str, Any]]) -> None:
        """Every event with its seq, type, time and actor, then its id and hash in full."""
        self.set_font(self.sans, "", 8)
        mono = FontFace(family=self.mono, size_pt=7)
        with self.table(col_widths=(14, 52, 62, 58), line_height=4, text_align="LEFT", padding=(0.6, 1),
                        headings_style=FontFace(emphasis="B", fill_color=(232, 232, 232))) as table:
            table.row([self.t(h) for h in ("seq", "type", "time (UTC, as hashed)", "actor")])
            for event in events:
                table.row([self.t(event["seq"]), self.t(event["type"]), self.t(event["ts"]), self.t(event["actor"])])
                table.row().cell(self.t(f"id {event['id']}   hash {event['hash']}"), colspan=4, style=mono)
        self.set_font(self.sans, "", 9)

    def chain_result(self, chain: dict[str, Any]) -> None:
        """Whether the store verified when the report was made (``EventStore.verify``): the chain
        whole *and* the derived tables this report was read from matching it, or what failed.
        Tables that differ are never called whole: the report was built from them, so it may
        leave out events (a custody step, say) that the chain holds."""
        if chain["ok"]:
            text = (f"Verified when this report was made: the hash chain is whole "
                    f"({chain['checked']} events checked, from seq 1) and the lane's records match it.")
        elif chain["first_broken_seq"] is not None:
            text = (f"THE HASH CHAIN IS BROKEN at seq {chain['first_broken_seq']}: {chain['reason']} "
                    f"({chain['checked']} events checked). Events from that seq on cannot be relied on.")
        else:
            text = (f"NOT VERIFIED: the lane's records, which this report was built from, differ from its "
                    f"hash chain ({chain['checked']} events checked): {'; '.join(chain['views'])}. This report "
                    f"may leave out or misstate events; make it again once the lane has rebuilt its records "
                    f"from the chain.")
        self.set_font(self.sans, "B", 9)
        self.multi_cell(0, 5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.paragraph("Each event's hash covers its content and the hash of the event before it; "
                       "`lanebox verify` recomputes them from the lane's store.")

    def photo_grid(self, rows: Sequence[tuple[str, str, str]], photo_path: PhotoPath) -> None:
        """Each photo as a thumbnail beside its SHA-256 and what it shows, so the paper
        says which picture each hash names; a photo missing here, or one that cannot be
        drawn, is said so in its place rather than dropped."""
        self.set_font(self.sans, "", 7.5)
        mono_face = FontFace(family=self.mono, size_pt=7)
        with self.table(col_widths=(30, 100, 56), line_height=4, text_align="LEFT", padding=(0.8, 1),
                        v_align="TOP", headings_style=FontFace(emphasis="B", fill_color=(232, 232, 232))) as table:
            table.row([self.t(h) for h in ("photo", "SHA-256", "attached to")])
            for sha256, what, attached in rows:
                row = table.row()
                found = photo_path(sha256)
                image = thumbnail(found) if isinstance(found, bytes) else None
                if image is not None:
                    row.cell(img=image, img_fill_width=True)
                elif isinstance(found, str):
                    row.cell(self.t(found))
                else:
                    row.cell(self.t("not on this lane" if found is None else "cannot be drawn"))
                row.cell(self.t(sha256), style=mono_face)
                row.cell(self.t(f"{what}, {attached}"))
        self.set_font(self.sans, "", 9)
        self.ln(1)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def local_day(iso: str, lane: dict[str, Any]) -> str:
    """The lane's local date of a stored time, as a title names it (``29 Nov 2026``)."""
    return f"{parse_iso(iso).astimezone(zone(lane.get('timezone') or 'UTC')):%d %b %Y}".lstrip("0")


def thumbnail(data: bytes) -> io.BytesIO | None:
    """The photo shrunk to :data:`THUMBNAIL_PX` as a JPEG, or None if it is not a picture
    Pillow can draw (its bytes were checked only by their first bytes when uploaded)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
    out.seek(0)
    return out


def number(value: Any) -> str | None:
    """A quantity with its thousands grouped (``12,480.5``), as people read amounts; None stays None."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Any, currency: str) -> str:
    """An amount in its currency, thousands grouped and to the cent (``12,480.50 EUR``)."""
    try:
        return f"{Decimal(str(value)):,.2f} {currency}"
    except InvalidOperation:
        return f"{value} {currency}"
