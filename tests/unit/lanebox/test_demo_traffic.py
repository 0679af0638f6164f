"""The demo's traffic, without processes: the lorries it sends are the demo
declarations' (valid container numbers, the lane's own generic adapter takes
their reads), a plate comes back only after all the others, the camera is
now and then unsure, the monitor mostly sees clean loads; a lorry drives
through the portal and onto the weighbridge even when the lane is down
(logged), and stopping ends the thread."""

from __future__ import annotations

import io
import json
import logging
import random
import socket
import threading
from collections import Counter
from datetime import UTC, datetime
from itertools import islice

import pytest
from PIL import Image

from drivers.simulators.load import LoadModel
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.rapiscan_lines import LOADS, RapiscanSimulator
from drivers.validation.iso6346 import container_check_digit
from edge.cameras.formats import generic
from edge.cameras.push import Push
from lanebox.demo import DEMO_REFERENCE
from lanebox.demo_bench import GOODS_KG, set_goods_on
from lanebox.demo_traffic import LaneTraffic, Lorry, camera_read, lorries, lorry_of, plate_crop
from tests.support.waiting import wait_for

DECLARATIONS = json.loads(DEMO_REFERENCE.read_text())["declarations"]
DEMO_LORRIES = [d for d in DECLARATIONS if d.get("plate") and d.get("gross_weight_kg")]


def test_every_lorry_is_a_demo_declarations_with_valid_container_numbers():
    seen = list(islice(lorries(DECLARATIONS, random.Random(1)), 200))
    by_plate = {d["plate"]: d for d in DEMO_LORRIES}
    assert {lorry.plate for lorry in seen} == set(by_plate)
    for lorry in seen:
        declared = by_plate[lorry.plate]
        assert lorry.containers == tuple(declared.get("containers", ()))
        assert all(int(code[10]) == container_check_digit(code[:10]) for code in lorry.containers)
        assert abs(lorry.weight_kg - declared["gross_weight_kg"]) <= 0.03 * declared["gross_weight_kg"] + 20
        assert lorry.weight_kg % 20 == 0
        assert lorry.radiation in LOADS


def test_a_plate_comes_back_only_after_every_other_one():
    """So two passes of one plate never fall in the lane's matching window and merge into one vehicle."""
    plates = [lorry.plate for lorry in islice(lorries(DECLARATIONS, random.Random(7)), 5 * len(DEMO_LORRIES))]
    for start in range(len(plates) - len(DEMO_LORRIES) + 1):
        assert len(set(plates[start:start + len(DEMO_LORRIES)])) == len(DEMO_LORRIES)


def test_a_declaration_without_plate_or_weight_is_no_lorry():
    unplated = {"ref": "X-1", "containers": ["CSQU3054383"], "gross_weight_kg": 20000}
    weightless = {"ref": "X-2", "plate": "AB 123"}
    with pytest.raises(ValueError, match="plate and a gross weight"):
        next(lorries([unplated, weightless], random.Random(0)))


def test_mostly_clean_loads_now_and_then_norm_rarely_neutron_and_the_camera_sometimes_unsure():
    rng = random.Random(3)
    seen = [lorry_of(DEMO_LORRIES[0], rng) for _ in range(2000)]
    kinds = Counter(lorry.radiation for lorry in seen)
    assert kinds["clean"] > 0.7 * len(seen)
    assert kinds["neutron"] < kinds["norm"] < kinds["clean"] and kinds["neutron"] > 0
    unsure = [lorry for lorry in seen if lorry.plate_confidence < 0.8]  # the lane's default confirm_below
    assert 0.05 * len(seen) < len(unsure) < 0.3 * len(seen)
    assert all(0 <= lorry.plate_confidence <= 1 and 0 <= lorry.container_confidence <= 1 for lorry in seen)


def test_the_lanes_generic_adapter_takes_the_cameras_read_whole():
    lorry = Lorry("YK19 ZRT", ("OOLU6023850", "TCLU1198476"), 8760, "clean", 0.62, 0.95)
    body = camera_read(lorry, datetime(2026, 11, 29, 8, 47, 5, tzinfo=UTC))
    read = generic.parse(Push("application/json", json.dumps(body).encode()))
    assert read.plate is not None and (read.plate.text, read.plate.confidence) == ("YK19ZRT", 0.62)
    assert [(c.code, c.check_ok) for c in read.containers] == [("OOLU6023850", True), ("TCLU1198476", True)]
    assert read.captured_at is not None and read.captured_at.startswith("2026-11-29T08:47:05")
    assert Image.open(io.BytesIO(read.image or b"")).format == "JPEG"
    assert camera_read(lorry, datetime.now(UTC))["id"] != body["id"]  # two passes are two reads, not a resend


@pytest.mark.parametrize("plate", ["KHN 512", "HH-LK 2291"])
def test_the_plate_crop_is_a_4_3_jpeg_with_dark_letters_on_a_yellow_plate_within_it(plate):
    """4:3 as the lane screen's thumbnails, so cropping them to fit cuts no letters off."""
    image = Image.open(io.BytesIO(plate_crop(plate)))
    assert image.format == "JPEG" and image.size == (320, 240)
    inside = range(20, 300)  # the plate within its black rim (x 14-306)
    row = [image.convert("RGB").getpixel((x, 122)) for x in inside]
    letters = [x for x, (r, g, b) in zip(inside, row) if r < 80 and g < 80 and b < 80]
    assert any(r > 200 and g > 160 and b < 100 for r, g, b in row)  # the yellow plate
    assert letters and inside[0] + 4 < letters[0] and letters[-1] < inside[-1] - 4  # no letter off its edges


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_the_lane_down_lorries_still_drive_through_and_stop_ends_the_thread(caplog):
    caplog.set_level(logging.WARNING, "lanebox.demo_traffic")
    rpm, weighbridge = RapiscanSimulator(seed=1), MtSicsSimulator()
    traffic = LaneTraffic(f"http://127.0.0.1:{closed_port()}", "gate-1", "token", rpm, weighbridge,
                          lorries(DECLARATIONS, random.Random(2)), random.Random(2), pace=0.01).start()
    try:
        wait_for(lambda: rpm.occupied, timeout=5, message="a lorry in the portal")
        wait_for(lambda: weighbridge.model.load() > 5000, timeout=10, message="the lorry on the weighbridge")
        wait_for(lambda: "did not take the read" in caplog.text, timeout=10, message="the failed push logged")
    finally:
        traffic.stop()
    assert not any(thread.name == "demo-traffic-gate-1" for thread in threading.enumerate())


def test_goods_come_and_go_on_the_bench_within_its_capacity():
    bench, stop = MtSicsSimulator(LoadModel(capacity=60.0, d=0.02)), threading.Event()
    thread = threading.Thread(target=set_goods_on, args=(bench, stop, random.Random(4), 0.002))
    thread.start()
    try:
        wait_for(lambda: bench.model.stable() and bench.model.load() >= GOODS_KG[0], timeout=5, message="goods on")
        assert bench.model.load() <= GOODS_KG[1] <= bench.model.capacity
        wait_for(lambda: bench.model.stable() and bench.model.load() == 0, timeout=5, message="goods off")
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
