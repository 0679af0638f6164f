"""The mrz-reader driver: grouping lines into documents (pure, with
hypothesis), then end to end over real pseudo-terminals, and the
simulator's wire format checked against docs/protocols.md section 4."""

from __future__ import annotations

import datetime as dt
import random
import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.mrz_reader import MrzDocumentReader, MrzGrouper, unframe
from drivers.simulators.mrz_reader import (
    ICAO_SPECIMENS,
    DocumentReaderSimulator,
    made_up_specimens,
    td1,
    td2,
    td3,
    with_wrong_check_digit,
)
from drivers.validation.mrz import looks_like_mrz_line, parse_mrz
from tests.support.drivers import driver_on_pty
from tests.support.waiting import Recorder, wait_for

TD3 = list(ICAO_SPECIMENS[0])
TD2 = list(ICAO_SPECIMENS[1])
TD1 = list(ICAO_SPECIMENS[2])
DOCUMENTS = [list(s) for s in ICAO_SPECIMENS] + made_up_specimens()
ENDINGS = ["\r", "\n", "\r\n"]


class Drops:
    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def __call__(self, reason: str, raw: bytes) -> None:
        self.items.append((reason, raw))


# ---------------------------------------------------------------- grouper

@pytest.mark.parametrize("lines", [TD1, TD2, TD3])
def test_a_document_completes_on_its_last_line(lines):
    grouper = MrzGrouper(Drops())
    assert [grouper.feed(line, 0.0) for line in lines[:-1]] == [None] * (len(lines) - 1)
    assert grouper.feed(lines[-1], 0.0) == lines
    assert grouper.pending == []


def test_another_line_breaks_a_partial_group():
    drops = Drops()
    grouper = MrzGrouper(drops)
    grouper.feed(TD3[0], 0.0)
    assert grouper.feed("hello", 0.1) is None
    assert drops.items == [("incomplete MRZ: interrupted", TD3[0].encode())]
    assert grouper.feed(TD3[0], 0.2) is None and grouper.feed(TD3[1], 0.2) == TD3


def test_a_line_of_another_length_starts_a_new_group():
    drops = Drops()
    grouper = MrzGrouper(drops)
    grouper.feed(TD1[0], 0.0)
    grouper.feed(TD1[1], 0.0)
    assert grouper.feed(TD3[0], 0.0) is None
    assert [reason for reason, _ in drops.items] == ["incomplete MRZ: interrupted"]
    assert grouper.feed(TD3[1], 0.0) == TD3


def test_silence_drops_a_partial_group():
    drops = Drops()
    grouper = MrzGrouper(drops, timeout=0.5)
    grouper.feed(TD3[0], 10.0)
    grouper.expire(10.4)
    assert drops.items == []
    grouper.expire(10.5)
    assert [reason for reason, _ in drops.items] == ["incomplete MRZ: timed out"]
    assert grouper.pending == []


def test_a_late_line_is_not_joined_to_a_stale_one():
    drops = Drops()
    grouper = MrzGrouper(drops, timeout=0.5)
    grouper.feed(TD3[1], 0.0)  # line 1 was lost
    assert grouper.feed(TD3[0], 5.0) is None
    assert grouper.feed(TD3[1], 5.0) == TD3
    assert len(drops.items) == 1


@given(st.lists(st.text(max_size=50), max_size=20), st.lists(st.floats(0, 100), min_size=20, max_size=20))
def test_any_lines_never_raise(lines, times):
    grouper = MrzGrouper(Drops())
    for line, now in zip(lines, sorted(times)):
        result = grouper.feed(line, now)
        assert result is None or parse_mrz(result)["format"] is not None


# ---------------------------------------------------------------- driver, fed directly

def unstarted_reader(recorder: Recorder) -> MrzDocumentReader:
    return MrzDocumentReader("loop://", on_reading=recorder.on_reading, device_id="doc-test")


def wire(lines: list[str], ending: str) -> bytes:
    return "".join(line + ending for line in lines).encode("ascii")


garbage_lines = st.binary(min_size=1, max_size=300).filter(
    lambda b: b"\r" not in b and b"\n" not in b and unframe(b)
    and not looks_like_mrz_line(unframe(b).decode("latin-1").strip()))


@settings(max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(range(len(DOCUMENTS))), st.sampled_from(ENDINGS),
                          st.one_of(st.none(), garbage_lines)), min_size=1, max_size=6),
       st.lists(st.integers(0, 2000), max_size=12))
def test_documents_split_anywhere_are_all_found(items, cuts):
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    stream = b""
    for index, ending, garbage in items:
        stream += wire(DOCUMENTS[index], ending)
        if garbage is not None:
            stream += garbage + b"\r\n"
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    for start, end in zip(bounds, bounds[1:]):
        reader.handle_bytes(stream[start:end])
    found = [(r["mrz"]["format"], r["mrz"]["document_number"]) for r in recorder.data()]
    expected = [(parse_mrz(DOCUMENTS[i])["format"], parse_mrz(DOCUMENTS[i])["document_number"])
                for i, _, _ in items]
    assert found == expected
    assert reader.counters.drops == sum(garbage is not None for _, _, garbage in items)


@given(st.binary(max_size=500))
def test_random_bytes_never_raise(data):
    reader = unstarted_reader(Recorder())
    reader.handle_bytes(data)
    reader.on_idle()


# ---------------------------------------------------------------- end to end on a pty

@pytest.fixture
def reader_on_pty(tmp_path, stop_later):
    def start(**options):
        sim = DocumentReaderSimulator(**options)
        reader, recorder = driver_on_pty(sim, MrzDocumentReader, tmp_path / "by-id-docreader", stop_later, "doc-1")
        return sim, reader, recorder
    return start


CONTRACT_FIELDS = {"format", "valid", "document_number", "nationality", "birth_date", "expiry_date", "surname",
                   "given_names", "sex", "checks"}


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_presented_passport_arrives_as_a_reading(reader_on_pty, ending):
    sim, reader, recorder = reader_on_pty(line_ending=ending)
    sim.present(TD3)
    data = wait_for(recorder.data, message="a document reading")[0]
    assert set(data) == {"mrz"}
    assert CONTRACT_FIELDS <= set(data["mrz"])
    assert data["mrz"]["format"] == "TD3" and data["mrz"]["valid"] is True
    assert data["mrz"]["document_number"] == "L898902C3"
    assert recorder.readings[0][1] == "\r\n".join(TD3).encode()


def test_garbage_and_partial_zones_are_counted_and_reading_goes_on(reader_on_pty):
    sim, reader, recorder = reader_on_pty()
    sim.send(b"\x00\xff garbage\r\n" + b"<" * 44 + b"\r\nNOT AN MRZ\r\n")
    sim.present(TD1[:2])  # the card was pulled away: no third line
    wait_for(lambda: reader.counters.drop_reasons.get("incomplete MRZ: timed out"), timeout=3,
             message="the partial zone to time out")
    sim.present(with_wrong_check_digit(TD1, random.Random(3)))
    sim.present(TD2)
    wait_for(lambda: len(recorder.data()) == 2, message="two documents")
    first, second = (d["mrz"] for d in recorder.data())
    assert first["format"] == "TD1" and first["valid"] is False
    assert first["checks"]["document_number"] is False
    assert second["format"] == "TD2" and second["valid"] is True
    assert reader.counters.drop_reasons["not an MRZ line"] == 2
    assert reader.counters.drop_reasons["incomplete MRZ: interrupted"] == 1  # the lone line of 44 '<'
    assert reader.counters.drops == 4


def test_demo_presents_documents_that_parse(reader_on_pty):
    sim, reader, recorder = reader_on_pty()
    stop = threading.Event()
    demo = threading.Thread(target=sim.run_demo, args=(stop, random.Random(7), 0.003))
    demo.start()
    try:
        wait_for(lambda: len(recorder.data()) >= 25, timeout=10, message="25 demo documents")
    finally:
        stop.set()
        demo.join()
    results = [d["mrz"] for d in recorder.data()]
    assert reader.counters.drops == 0
    assert all(r["format"] in ("TD1", "TD2", "TD3") for r in results)
    for r in results:
        failed = {name for name, ok in r["checks"].items() if not ok}
        assert failed in (set(), {"document_number", "composite"})
    assert any(r["valid"] for r in results) and any(not r["valid"] for r in results)


# ---------------------------------------------------------------- simulator conformance

MRZ_LINE = re.compile(rb"[A-Z0-9<]+")


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("lines, width", [(TD1, 30), (TD2, 36), (TD3, 44)])
def test_simulator_sends_mrz_lines_with_the_set_ending(raw_line, ending, lines, width):
    sim = DocumentReaderSimulator(line_ending=ending)
    read_until = raw_line(sim)
    sim.present(lines)
    end = ending.encode()
    data = read_until(lambda b: b.count(end) >= len(lines))
    assert data.endswith(end)
    sent = data[:-len(end)].split(end)
    assert len(sent) == len(lines)
    for line in sent:
        assert len(line) == width and MRZ_LINE.fullmatch(line)
        assert b"\r" not in line and b"\n" not in line


def test_made_up_specimens_have_correct_check_digits():
    for lines in made_up_specimens():
        assert parse_mrz(lines)["valid"], lines
    passport = td3("P", "UTO", "DOE", "JANE", "X1", "UTO", dt.date(1990, 1, 2), "F", dt.date(2030, 3, 4))
    assert [len(line) for line in passport] == [44, 44]
    assert [len(line) for line in td2("I", "UTO", "DOE", "JANE", "X1", "UTO", dt.date(1990, 1, 2), "F",
                                      dt.date(2030, 3, 4))] == [36, 36]
    assert [len(line) for line in td1("ID", "UTO", "DOE", "JANE", "X1", "UTO", dt.date(1990, 1, 2), "F",
                                      dt.date(2030, 3, 4))] == [30, 30, 30]


# ---------------------------------------------------------------- framing control characters

#: C0 controls a reader may frame a zone with (not CR/LF, which end lines)
FRAMING = [bytes([b]) for b in range(0x20) if b not in (0x0A, 0x0D)] + [b"\x7f"]


def desko_wire(lines: list[str], sod: bytes = b"\x1c", eod: bytes = b"\x1d") -> bytes:
    """A zone as the DESKO CUTE profile sends it: <SODn><STX> line <CR> ... <CR><ETX><EODn>."""
    return sod + b"\x02" + b"".join(line.encode() + b"\r" for line in lines) + b"\x03" + eod


@pytest.mark.parametrize("lines", [TD1, TD2, TD3])
def test_a_zone_framed_with_stx_etx_and_document_delimiters_completes(lines):
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    reader.handle_bytes(desko_wire(lines) + desko_wire(TD3))
    assert [r["mrz"]["format"] for r in recorder.data()] == [parse_mrz(lines)["format"], "TD3"]
    assert [raw for _, raw in recorder.readings] == ["\r\n".join(lines).encode(), "\r\n".join(TD3).encode()]
    assert reader.counters.drops == 0


@settings(max_examples=100)
@given(st.lists(st.sampled_from(FRAMING), min_size=1, max_size=3), st.lists(st.sampled_from(FRAMING), max_size=3),
       st.sampled_from(range(len(DOCUMENTS))), st.sampled_from(ENDINGS))
def test_any_control_characters_around_a_zone_are_framing(before, after, index, ending):
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    reader.handle_bytes(b"".join(before) + wire(DOCUMENTS[index], ending) + b"".join(after) + b"\r\n")
    assert [r["mrz"]["document_number"] for r in recorder.data()] == [parse_mrz(DOCUMENTS[index])["document_number"]]
    assert reader.counters.drops == 0


def test_a_control_character_inside_a_line_still_spoils_it():
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    spoiled = b"\x02" + TD3[0][:10].encode() + b"\x03" + TD3[0][10:].encode()
    reader.handle_bytes(spoiled + b"\r" + TD3[1].encode() + b"\r")
    reader.on_idle()
    assert recorder.data() == []
    assert reader.counters.drop_reasons["not an MRZ line"] == 1


def test_the_simulator_frames_zones_like_a_desko_reader_and_the_driver_reads_them(reader_on_pty):
    sim, reader, recorder = reader_on_pty(line_ending="\r", framing=(b"\x1c\x02", b"\x03\x1d"))
    sim.present(TD3)
    sim.present(TD1)
    wait_for(lambda: len(recorder.data()) == 2, message="two framed documents")
    assert [d["mrz"]["format"] for d in recorder.data()] == ["TD3", "TD1"]
    assert reader.counters.drops == 0


def test_simulator_framing_is_on_the_wire(raw_line):
    sim = DocumentReaderSimulator(line_ending="\r", framing=(b"\x1c\x02", b"\x03\x1d"))
    read_until = raw_line(sim)
    sim.present(TD3)
    data = read_until(lambda b: b.endswith(b"\x1d"))
    assert data == desko_wire(TD3)


def test_simulator_refuses_framing_that_is_not_control_characters():
    with pytest.raises(ValueError, match="control"):
        DocumentReaderSimulator(framing=(b"P<", b""))
