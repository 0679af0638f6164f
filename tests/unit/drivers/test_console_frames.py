"""The raw console shows whole frames, however the reads cut them: lines
with their own end bytes, SMA's <LF>…<CR>, Toledo's STX frames with their
checksum, Modbus answers, each split at every possible point."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.console_frames import FrameSplitter
from drivers.toledo_continuous import encode_toledo_frame


def split(chunks: list[bytes], binary: bool = False, flush_between: bool = False) -> list[bytes]:
    frames: list[bytes] = []
    splitter = FrameSplitter(frames.append, binary=binary)
    for chunk in chunks:
        splitter.feed(chunk)
        if flush_between:
            splitter.flush()
    splitter.flush()  # the line falls quiet
    return frames


def cuts(data: bytes, points: list[int]) -> list[bytes]:
    points = sorted({p % (len(data) + 1) for p in points})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


MT_SICS = [b"S S     100.00 kg\r\n", b"S D     100.02 kg\r\n", b'I3 A "1.2.0"\r\n', b"ES\r\n"]
TOLEDO = [encode_toledo_frame(12340, checksum=True), encode_toledo_frame(12360, checksum=True)]
STREAMS = {
    "mt-sics": MT_SICS,
    "cr only": [b"RES S00042 CLEAR\r", b"STA READY drift_temp=105.2\r"],
    "lf only": [b"]C1CSQU3054383\n", b"]d2010950110153000317\x1d10ABC\n"],
    "etx stream": [b"\r  12.34 kg G\x03", b"\r  12.36 kg G\x03"],
    "toledo": TOLEDO,
}


@pytest.mark.parametrize("name", STREAMS)
@given(points=st.lists(st.integers(min_value=0, max_value=200), max_size=12))
def test_line_protocols_come_out_a_frame_each_however_the_reads_cut_them(name: str, points: list[int]) -> None:
    frames = STREAMS[name]
    assert split(cuts(b"".join(frames), points)) == frames


def test_a_toledo_frame_keeps_its_checksum_after_cr() -> None:
    data = b"".join(TOLEDO)
    got = split([data])
    assert got == TOLEDO and got[0][0] == 0x02 and got[0][-2] == 0x0D  # STX … CR, then the checksum


def test_sma_answers_keep_their_leading_lf_and_end_at_cr() -> None:
    answer = b"\nZ1G    0000.000 kg \r"
    assert split([answer[:5], answer[5:]]) == [answer]
    # the host's next command flushes it even before the line is quiet
    frames: list[bytes] = []
    splitter = FrameSplitter(frames.append)
    splitter.feed(answer)
    splitter.flush()
    assert frames == [answer]


def test_binary_answers_end_when_the_host_speaks_not_at_a_cr_inside() -> None:
    answer = bytes.fromhex("01 03 04 00 0d 0a 10 fa 33")  # a Modbus RTU answer holding CR LF in its data
    assert split([answer[:4], answer[4:]]) == [answer]
    assert split([answer[:4], answer[4:]], binary=True) == [answer]
    two = split([answer, answer], binary=True, flush_between=True)
    assert two == [answer, answer]


def test_garbage_without_an_end_is_cut_at_the_bound() -> None:
    frames: list[bytes] = []
    splitter = FrameSplitter(frames.append, max_length=64)
    splitter.feed(b"x" * 200)
    assert [len(f) for f in frames] == [64, 64, 64]
    splitter.flush()
    assert [len(f) for f in frames] == [64, 64, 64, 8]
