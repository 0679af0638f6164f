"""Driver figures: frames decoded per second per protocol, and pty latency.

1. Decode rate: a long stream of valid frames fed through each driver's own
   ``handle_bytes`` in 4 KiB chunks (framing + parsing + reading shape), the
   way its reader thread does, without the port.
2. Latency on a real pty: one-way (simulator writes a frame → the driver's
   reading callback) for etd-ascii, and command round trip (``SI`` → ``S S``
   reply) for mt-sics, plus SIR-stream vs SI-poll reading rates.

Usage: python bench/drivers.py
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from drivers.aim_barcode import AimBarcodeReader  # noqa: E402
from drivers.etd_ascii import EtdAsciiDetector  # noqa: E402
from drivers.mrz_reader import MrzDocumentReader  # noqa: E402
from drivers.mt_sics import MtSicsScale  # noqa: E402
from drivers.simulators.etd_ascii import EtdSimulator  # noqa: E402
from drivers.simulators.mt_sics import MtSicsSimulator  # noqa: E402
from drivers.simulators.ports import PtyPort  # noqa: E402
from drivers.toledo_continuous import ToledoContinuousScale, encode_toledo_frame  # noqa: E402

FRAMES = 20_000
PASSPORT = (b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n"
            b"L898902C36UTO7408122F1204159ZE184226B<<<<<10\r\n")
STREAMS = {
    "mt-sics": (MtSicsScale, lambda i: f"S S {i % 60000:>10.2f} kg\r\n".encode()),
    "toledo-continuous": (ToledoContinuousScale, lambda i: encode_toledo_frame(float(i % 60000), checksum=True)),
    "aim-barcode (GS1)": (AimBarcodeReader, lambda i: b"]d201059012341234571726123110LOT42\x1d21SN0001\r\n"),
    "aim-barcode (container)": (AimBarcodeReader, lambda i: b"]C0CSQU3054383\r\n"),
    "mrz-reader (TD3)": (MrzDocumentReader, lambda i: PASSPORT),
    "etd-ascii": (EtdAsciiDetector, lambda i: f"RES S{i:06d} ALARM RDX:explosive:412.5:1.460\r\n".encode()),
}


def decode_rate(driver_class: type, make_frame) -> tuple[float, int]:
    count = 0

    def on_reading(data, raw) -> None:
        nonlocal count
        count += 1

    driver = driver_class("loop://", on_reading=on_reading)
    if isinstance(driver, MtSicsScale):
        driver._streaming = True  # as after on_open's reset and identification
    stream = b"".join(make_frame(i) for i in range(FRAMES))
    chunks = [stream[i:i + 4096] for i in range(0, len(stream), 4096)]
    start = time.perf_counter()
    for chunk in chunks:
        driver.handle_bytes(chunk)
    elapsed = time.perf_counter() - start
    return count / elapsed, count


def one_way_latency(samples: int = 300) -> list[float]:
    sim = EtdSimulator()
    arrived = threading.Event()
    with PtyPort(sim) as port:
        driver = EtdAsciiDetector(port.path, on_reading=lambda d, r: arrived.set())
        driver.start()
        while driver.state != "connected":
            time.sleep(0.01)
        latencies = []
        for i in range(samples):
            arrived.clear()
            start = time.perf_counter()
            sim.send(f"RES L{i} CLEAR\r\n".encode())
            if arrived.wait(2):
                latencies.append(time.perf_counter() - start)
            time.sleep(0.005)
        driver.stop()
    return latencies


def mt_sics_round_trip(samples: int = 300) -> list[float]:
    sim = MtSicsSimulator()
    sim.set_load(12340.0, settle=True)
    with PtyPort(sim) as port:
        driver = MtSicsScale(port.path)
        driver.start()
        while driver.state != "connected":
            time.sleep(0.01)
        latencies = []
        for _ in range(samples):
            start = time.perf_counter()
            driver.send_command("SI")
            latencies.append(time.perf_counter() - start)
        driver.stop()
    return latencies


def stream_rate(mode: str, seconds: float = 3.0) -> float:
    sim = MtSicsSimulator()
    sim.set_load(5000.0, settle=True)
    count = 0

    def on_reading(data, raw) -> None:
        nonlocal count
        count += 1

    with PtyPort(sim) as port:
        driver = MtSicsScale(port.path, on_reading=on_reading, stream=mode)
        driver.start()
        while driver.state != "connected":
            time.sleep(0.01)
        count = 0
        time.sleep(seconds)
        rate = count / seconds
        driver.stop()
    return rate


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"p50 {statistics.median(ms):.3f} ms  p99 {ms[int(len(ms) * 0.99) - 1]:.3f} ms  (n={len(ms)})"


def main() -> None:
    print(f"decode rate ({FRAMES} frames through each driver's handle_bytes, 4 KiB chunks)")
    for name, (driver_class, make_frame) in STREAMS.items():
        rate, count = decode_rate(driver_class, make_frame)
        print(f"  {name:<26} {rate:>10,.0f} frames/s  ({count} decoded)")
    print("pty latency")
    print(f"  etd-ascii one way (sim write -> reading callback)  {summary(one_way_latency())}")
    print(f"  mt-sics round trip (SI -> S S reply)               {summary(mt_sics_round_trip())}")
    print("mt-sics readings/s from the simulator: "
          f"SIR stream {stream_rate('sir'):.1f}/s, SI poll {stream_rate('si'):.1f}/s")


if __name__ == "__main__":
    main()
