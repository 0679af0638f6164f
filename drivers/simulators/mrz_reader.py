"""A travel-document reader sending ICAO 9303 MRZ lines, for tests and demos.

Presenting a document sends its MRZ lines in one burst, each ended by the
configured line ending, as a desktop passport reader does; ``framing``
puts control characters around the zone, as readers set up for airline
systems do (DESKO's CUTE profile: ``<SODn><STX>`` before, ``<ETX><EODn>``
after). The demo shows
the ICAO specimens and made-up specimen holders whose check digits are
computed here, and now and then a zone with a wrong check digit.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

from drivers.mrz_reader import FRAMING_BYTES
from drivers.simulators.device import DeviceSimulator
from drivers.validation.mrz import mrz_check_digit

LINE_ENDINGS = ("\r", "\n", "\r\n")

#: ICAO 9303 specimens (parts 4–7 and 11), and the `mrz` package's test vectors
ICAO_SPECIMENS: tuple[tuple[str, ...], ...] = (
    ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"),
    ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"),
    ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"),
    ("I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2", "STEVENSON<<PETER<JOHN<<<<<<<<<"),
    ("P<UTOMXHMWD<<EBDALRXHYM<<<<<<<<<<<<<<<<<<<<<", "A2222222<0UTO7108215F04120411000146819<<<<44"),
    ("IDLIEID98754015<<<<<<<<<<<<<<<", "8205122M1906224LIE<<<<<<<<<<<6", "OSPELT<BECK<<MARISA<<<<<<<<<<<"),
    ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"),
)


def _field(text: str, length: int) -> str:
    """Upper case, spaces and dashes as ``<``, padded with ``<``; too long raises."""
    value = text.upper().replace(" ", "<").replace("-", "<")
    if len(value) > length:
        raise ValueError(f"{text!r} does not fit in {length} characters")
    return value.ljust(length, "<")


def _name(surname: str, given_names: str, length: int) -> str:
    """``SURNAME<<GIVEN<NAMES``, truncated to the zone as 9303 allows."""
    return _field(f"{surname}<<{given_names}"[:length], length)


def _with_check(field: str) -> str:
    return field + str(mrz_check_digit(field))


def _yymmdd(day: dt.date) -> str:
    return day.strftime("%y%m%d")


def td3(doc_type: str, state: str, surname: str, given_names: str, number: str, nationality: str,
        birth: dt.date, sex: str, expiry: dt.date, personal_number: str = "") -> list[str]:
    """A passport's two 44-character lines."""
    line1 = _field(doc_type, 2) + _field(state, 3) + _name(surname, given_names, 39)
    line2 = (_with_check(_field(number, 9)) + _field(nationality, 3) + _with_check(_yymmdd(birth)) + sex
             + _with_check(_yymmdd(expiry)) + _with_check(_field(personal_number, 14)))
    return [line1, line2 + str(mrz_check_digit(line2[0:10] + line2[13:20] + line2[21:43]))]


def td2(doc_type: str, state: str, surname: str, given_names: str, number: str, nationality: str,
        birth: dt.date, sex: str, expiry: dt.date, optional_data: str = "") -> list[str]:
    """A TD2 card's two 36-character lines."""
    line1 = _field(doc_type, 2) + _field(state, 3) + _name(surname, given_names, 31)
    line2 = (_with_check(_field(number, 9)) + _field(nationality, 3) + _with_check(_yymmdd(birth)) + sex
             + _with_check(_yymmdd(expiry)) + _field(optional_data, 7))
    return [line1, line2 + str(mrz_check_digit(line2[0:10] + line2[13:20] + line2[21:35]))]


def td1(doc_type: str, state: str, surname: str, given_names: str, number: str, nationality: str,
        birth: dt.date, sex: str, expiry: dt.date, optional_data: str = "") -> list[str]:
    """An ID card's three 30-character lines."""
    line1 = _field(doc_type, 2) + _field(state, 3) + _with_check(_field(number, 9)) + _field(optional_data, 15)
    line2 = (_with_check(_yymmdd(birth)) + sex + _with_check(_yymmdd(expiry)) + _field(nationality, 3)
             + "<" * 11)
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    return [line1, line2 + str(mrz_check_digit(composite)), _name(surname, given_names, 30)]


def made_up_specimens() -> list[list[str]]:
    """Invented holders (no real person), in the formats a port sees daily."""
    d = dt.date
    return [
        td3("P", "GBR", "HALLORAN", "BRIDGET AOIFE", "543219876", "GBR", d(1987, 3, 14), "F", d(2031, 6, 2)),
        td3("P", "NLD", "DE VRIES", "JOHANNES PIETER", "NXC4R81P6", "NLD", d(1979, 11, 30), "M", d(2029, 1, 17)),
        td3("P", "POL", "KOWALSKA", "ANNA", "ZS0123456", "POL", d(1992, 2, 29), "F", d(2033, 5, 20),
            "92022912345"),
        td3("P", "UTO", "ROWAN", "SAM", "UX7730416", "UTO", d(2001, 9, 9), "X", d(2030, 9, 8)),
        td1("ID", "D", "MUELLER", "KLAUS", "L01X00T47", "D", d(1965, 8, 12), "M", d(2030, 10, 31)),
        td1("ID", "FRA", "MARTIN", "CAMILLE", "X4RTBPFW4", "FRA", d(2001, 7, 4), "F", d(2032, 7, 3)),
        td2("I", "UTO", "OKONKWO", "CHIDI EMEKA", "UT1234567", "UTO", d(1990, 12, 1), "M", d(2027, 9, 9)),
    ]


def with_wrong_check_digit(lines: list[str], rng: random.Random) -> list[str]:
    """The same zone with the document number's check digit misread."""
    row, index = (0, 14) if len(lines) == 3 else (1, 9)
    good = lines[row][index]
    wrong = str((int(good) + rng.randint(1, 9)) % 10)
    changed = list(lines)
    changed[row] = lines[row][:index] + wrong + lines[row][index + 1:]
    return changed


class DocumentReaderSimulator(DeviceSimulator):
    kind = "document"
    driver = "mrz-reader"

    def __init__(self, line_ending: str = "\r\n", framing: tuple[bytes, bytes] = (b"", b"")) -> None:
        super().__init__()
        if line_ending not in LINE_ENDINGS:
            raise ValueError(f"line_ending must be one of {LINE_ENDINGS!r}, not {line_ending!r}")
        if any(byte not in FRAMING_BYTES or byte in b"\r\n" for byte in b"".join(framing)):
            raise ValueError("framing is made of control characters (not CR or LF)")
        self.line_ending = line_ending
        self.framing = framing

    def present(self, lines: list[str]) -> None:
        """A document laid on the reader: its MRZ lines in one burst, framed."""
        before, after = self.framing
        self.send(before + "".join(line + self.line_ending for line in lines).encode("ascii") + after)

    def run_demo(self, stop: threading.Event, rng: random.Random, pace: float = 1.0) -> None:
        """Travellers' documents every so often; one in eight misread."""
        made_up = made_up_specimens()
        documents = [list(s) for s in ICAO_SPECIMENS] + made_up
        while not stop.wait(rng.uniform(8, 15) * pace):
            if rng.random() < 0.125:
                self.present(with_wrong_check_digit(rng.choice(made_up), rng))
            else:
                self.present(rng.choice(documents))
