"""MT-SICS higher resolution (SIH) for calibrating a whole-e indicator: the
driver reads the finer value without it ever reaching the tablets as a
reading, the stream goes on afterwards, and a scale without SIH says so.
The simulator's SIH answer is checked on the wire (docs/protocols.md section 1)."""

from __future__ import annotations

import pytest

from drivers.mt_sics import MtSicsReplyError, MtSicsScale
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for
from tests.unit.drivers.simulators.test_mt_sics import SicsWire, weight_of


@pytest.fixture
def weighbridge(recorder, stop_later):
    """A 60 t by 20 kg weighbridge reading 0.14 % high (+28 kg at 20 t), and its driver."""
    sim = MtSicsSimulator()
    sim.set_error(error_ppm=1400)
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = MtSicsScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status,
                         device_id="scale-1")
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")
    return sim, driver, recorder


def test_the_extended_value_is_read_but_never_published(weighbridge):
    sim, driver, recorder = weighbridge
    sim.set_load(20000)
    reading_where(recorder, lambda d: d["weight"] == 20020, "the display's whole-e 20 020 kg")
    data, raw = driver.read_extended()
    assert data == {"weight": 20028.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}
    assert raw.split() == [b"S", b"S", b"20028", b"kg"]
    after = reading_where(recorder, lambda d: True, "the stream, going again")
    assert after["weight"] == 20020
    assert all(d["weight"] in (0, 20020) for d in recorder.data()), "an SIH answer reached the tablets"
    assert b"@\r\nSIH\r\nSIR\r\n" in bytes(sim.received)


def test_a_scale_without_sih_refuses_and_keeps_streaming(weighbridge):
    sim, driver, recorder = weighbridge
    sim.extended = False
    with pytest.raises(MtSicsReplyError, match=r"higher-resolution weight failed: .*\(ES\)"):
        driver.read_extended()
    sim.set_load(1000)
    reading_where(recorder, lambda d: d["weight"] == 1000, "readings after the refusal")


def test_the_simulator_answers_sih_at_a_tenth_of_d(stop_later):
    sim = MtSicsSimulator()
    sim.set_error(error_ppm=1400)
    port = PtyPort(sim).start()
    stop_later.append(port)
    wire = SicsWire(port.path)
    stop_later.append(wire)
    sim.set_load(20000)
    assert weight_of(wire.ask("SI"))["value"].strip() == "20020"
    match = weight_of(wire.ask("SIH"))
    assert (match["id"], match["status"], match["value"].strip(), match["unit"]) == ("S", "S", "20028", "kg")
    assert wire.ask("SIH X") == "ES"
    sim.extended = False
    assert wire.ask("SIH") == "ES"
