"""The aim-barcode driver: records parsed as pure functions (with
hypothesis), then end to end over real pseudo-terminals, and the
simulator's wire format checked against docs/protocols.md section 3."""

from __future__ import annotations

import random
import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.aim_barcode import AimBarcodeReader, parse_barcode_record
from drivers.simulators.aim_barcode import BarcodeSimulator
from tests.support.drivers import driver_on_pty
from tests.support.waiting import Recorder, wait_for

GS = "\x1d"
PASSPORT = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
SUFFIXES = ["\r", "\n", "\r\n"]


# ---------------------------------------------------------------- pure record parsing

def test_wire_vector_gs1_128():
    reading = parse_barcode_record(b"]C1010590123412345715210526")
    assert reading["symbology"] == "]C1"
    assert reading["text"] == "010590123412345715210526"
    assert reading["parsed"]["type"] == "gs1"
    assert reading["parsed"]["ais"] == {"01": "05901234123457", "15": "210526"}


def test_wire_vector_datamatrix_keeps_the_group_separator():
    reading = parse_barcode_record(b"]d201059012341234571726123110LOT42\x1d21SN0001")
    assert reading["text"] == "01059012341234571726123110LOT42" + GS + "21SN0001"
    assert reading["parsed"]["ais"] == {"01": "05901234123457", "17": "261231", "10": "LOT42", "21": "SN0001"}


def test_no_prefix_and_utf8_text():
    reading = parse_barcode_record("Zoll – Überprüfung".encode())
    assert reading == {"symbology": None, "text": "Zoll – Überprüfung", "parsed": None}


def test_container_record():
    reading = parse_barcode_record(b"]C0CSQU3054384")
    assert reading["parsed"]["type"] == "container" and reading["parsed"]["valid"] is False


@pytest.mark.parametrize("line", [b"\xff\xfe\xfd", b"]C1", b"caf\xe9"])
def test_records_without_a_scan_are_none(line):
    assert parse_barcode_record(line) is None


@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    reading = parse_barcode_record(data)
    assert reading is None or set(reading) == {"symbology", "text", "parsed"}


# ---------------------------------------------------------------- driver, fed directly

def unstarted_reader(recorder: Recorder) -> AimBarcodeReader:
    return AimBarcodeReader("loop://", on_reading=recorder.on_reading, device_id="scanner-test")


VECTORS = [("]C1", "010590123412345715210526"), ("]C1", "00376130321109103420"),
           ("]d2", "01059012341234571726123110LOT42" + GS + "21SN0001"), ("]C0", "CSQU3054383"),
           ("]C0", "CSQU3054384"), ("]E0", "5901234123457"), ("]Q1", "LBX-BAG-2025-000123"), (None, "TCNU7200794")]
# what a person or a label may hold: anything but line ends, and not led by ']' (an identifier)
free_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n<"),
                    min_size=1, max_size=40).filter(lambda t: not t.startswith("]"))
records = st.one_of(st.sampled_from(VECTORS), st.tuples(st.sampled_from([None, "]C0", "]Q1", "]A0"]), free_text))


def as_wire(symbology: str | None, text: str, suffix: str) -> bytes:
    return ((symbology or "") + text + suffix).encode("utf-8")


@settings(max_examples=150)
@given(st.lists(st.tuples(records, st.sampled_from(SUFFIXES)), min_size=1, max_size=8),
       st.lists(st.integers(0, 500), max_size=12))
def test_records_split_anywhere_are_all_found(items, cuts):
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    stream = b"".join(as_wire(symbology, text, suffix) for (symbology, text), suffix in items)
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    for start, end in zip(bounds, bounds[1:]):
        reader.handle_bytes(stream[start:end])
    assert [(d["symbology"], d["text"]) for d in recorder.data()] == [record for record, _ in items]
    assert reader.counters.drops == 0


@given(st.binary(max_size=600))
def test_random_bytes_through_the_driver_never_raise(data):
    reader = unstarted_reader(Recorder())
    reader.handle_bytes(data)
    reader.on_idle()


@pytest.mark.parametrize("separator", SUFFIXES)
def test_an_mrz_in_a_qr_code_is_one_scan(separator):
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    reader.handle_bytes(("]Q1" + separator.join(PASSPORT) + "\r\n").encode())
    (data,) = recorder.data()
    assert data["symbology"] == "]Q1"
    assert data["text"] == "\n".join(PASSPORT)
    assert data["parsed"]["type"] == "mrz" and data["parsed"]["valid"] is True


def test_a_partial_mrz_is_dropped_when_another_scan_comes():
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    reader.handle_bytes(("]Q1" + PASSPORT[0] + "\r\n]C0CSQU3054383\r\n").encode())
    assert [d["text"] for d in recorder.data()] == ["CSQU3054383"]
    assert reader.counters.drop_reasons == {"incomplete MRZ: interrupted": 1}


def test_digits_of_an_mrz_line_length_are_not_held_as_an_mrz():
    recorder = Recorder()
    reader = unstarted_reader(recorder)
    sscc_and_gtin = "00376130321109103420" + "0105901234123457"  # 36 digits, a TD2 line's shape
    reader.handle_bytes(f"]C1{sscc_and_gtin}\r".encode())
    assert recorder.data()[0]["parsed"]["ais"] == {"00": "376130321109103420", "01": "05901234123457"}


# ---------------------------------------------------------------- end to end on a pty

@pytest.fixture
def scanner_on_pty(tmp_path, stop_later):
    def start(**options):
        sim = BarcodeSimulator(**options)
        reader, recorder = driver_on_pty(sim, AimBarcodeReader, tmp_path / "by-id-scanner", stop_later, "scanner-1")
        return sim, reader, recorder
    return start


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("aim_prefix", [True, False])
def test_scans_arrive_as_readings(scanner_on_pty, suffix, aim_prefix):
    sim, reader, recorder = scanner_on_pty(aim_prefix=aim_prefix, suffix=suffix)
    sim.scan("01059012341234571726123110LOT42" + GS + "21SN0001", "]d2")
    sim.scan("CSQU3054384", "]C0")
    sim.scan("\n".join(PASSPORT), "]Q1")
    data = wait_for(lambda: len(recorder.data()) == 3 and recorder.data(), message="three scans")
    assert all(set(d) == {"symbology", "text", "parsed"} for d in data)
    gs1, container, mrz = data
    assert gs1["symbology"] == ("]d2" if aim_prefix else None)
    assert gs1["parsed"]["type"] == "gs1" and gs1["parsed"]["valid"] is True
    assert gs1["parsed"]["ais"]["21"] == "SN0001"
    assert container["parsed"]["type"] == "container" and container["parsed"]["valid"] is False
    assert mrz["parsed"]["type"] == "mrz" and mrz["parsed"]["document_number"] == "L898902C3"
    assert reader.counters.drops == 0


def test_garbage_is_counted_and_scanning_goes_on(scanner_on_pty):
    sim, reader, recorder = scanner_on_pty()
    sim.send(b"\xff\xfe\x80\r\n]C1\r\n" + b"X" * 5000 + b"\r\n")
    sim.scan("TCNU7200794", "]C0")
    wait_for(lambda: recorder.data(), message="a scan after garbage")
    assert recorder.data()[0]["parsed"]["valid"] is True
    assert reader.counters.drops == 3
    assert reader.counters.drop_reasons["line too long"] == 1


def test_demo_scans_what_it_says(scanner_on_pty):
    sim, reader, recorder = scanner_on_pty()
    stop = threading.Event()
    demo = threading.Thread(target=sim.run_demo, args=(stop, random.Random(11), 0.001))
    demo.start()
    try:
        wait_for(lambda: len(recorder.data()) >= 60, timeout=10, message="60 demo scans")
    finally:
        stop.set()
        demo.join()
    kinds = [(d["parsed"] or {}).get("type") for d in recorder.data()]
    assert {"container", "gs1", None} <= set(kinds)
    assert all(d["parsed"]["valid"] for d in recorder.data() if d["parsed"] and d["parsed"]["type"] == "gs1")
    containers = [d["parsed"]["valid"] for d in recorder.data() if d["parsed"] and d["parsed"]["type"] == "container"]
    assert True in containers and False in containers
    assert reader.counters.drops == 0


# ---------------------------------------------------------------- simulator conformance

AIM_PREFIX = re.compile(rb"\][A-Za-z][0-9A-Za-z]")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_simulator_wire_format(raw_line, suffix):
    sim = BarcodeSimulator(aim_prefix=True, suffix=suffix)
    read_until = raw_line(sim)
    sim.scan("01059012341234571726123110LOT42" + GS + "21SN0001", "]d2")
    end = suffix.encode()
    data = read_until(lambda b: b.endswith(end) and b.count(end) == 1)
    assert AIM_PREFIX.match(data) and data[:3] == b"]d2"
    assert data == b"]d201059012341234571726123110LOT42\x1d21SN0001" + end  # GS kept, no GS at the end


def test_simulator_without_prefixes_sends_bare_data(raw_line):
    sim = BarcodeSimulator(aim_prefix=False, suffix="\r")
    read_until = raw_line(sim)
    sim.scan("00376130321109103420", "]C1")
    assert read_until(lambda b: b.endswith(b"\r")) == b"00376130321109103420\r"


def test_simulator_demo_sends_one_prefixed_record_per_scan(raw_line):
    sim = BarcodeSimulator()
    read_until = raw_line(sim)
    stop = threading.Event()
    demo = threading.Thread(target=sim.run_demo, args=(stop, random.Random(5), 0.001))
    demo.start()
    try:
        data = read_until(lambda b: b.count(b"\r\n") >= 30)
    finally:
        stop.set()
        demo.join()
    for record in data.split(b"\r\n")[:30]:
        assert AIM_PREFIX.match(record), record
        assert b"\r" not in record and b"\n" not in record
        assert not record.endswith(b"\x1d")
        record.decode("utf-8")


def test_simulator_refuses_an_unknown_suffix():
    with pytest.raises(ValueError):
        BarcodeSimulator(suffix="\t")
