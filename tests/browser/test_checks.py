"""The app's as-you-type checks agree with the box's: an officer is never
told "valid" for a number the box refuses, or the other way round."""

from __future__ import annotations

import random
import string

from playwright.sync_api import BrowserContext

from common.identifiers import normalise_plate
from drivers.simulators.aim_barcode import invalid_container, valid_container
from drivers.validation.iso6346 import container_check_digit, parse_container_number


def test_container_and_plate_checks_match_the_box(context: BrowserContext) -> None:
    rng = random.Random(6346)
    numbers = [valid_container(rng) for _ in range(150)] + [invalid_container(rng) for _ in range(150)]
    numbers += ["CSQU3054383", "CSQU 305438-3", "csqu3054383", "MSCU4829131", "CSQA3054383", "CSQU305438", "",
                "CSQU30543833", "C5QU3054383", "CSQUX054383"]
    prefixes = ["".join(rng.choices(string.ascii_uppercase, k=4)) + "".join(rng.choices(string.digits, k=6))
                for _ in range(200)]
    plates = ["AB12 CDE", "ab12cde", "EK-48213", "A", "TOOLONGPLATE123", "ÅB12", "12", "KHN 512", "X!1"]
    page = context.new_page()
    page.goto("/")
    got = page.evaluate("""async ([numbers, prefixes, plates]) => {
        const m = await import('/app/js/iso6346.js');
        return {
            numbers: numbers.map((n) => m.checkContainer(n).state),
            digits: prefixes.map((p) => m.checkDigit(p)),
            plates: plates.map((p) => [m.checkPlate(p).state, m.checkPlate(p).normalised]),
        };
    }""", [numbers, prefixes, plates])

    for number, state in zip(numbers, got["numbers"], strict=True):
        box_valid = parse_container_number(number)["valid"]
        assert (state == "valid") == box_valid, (number, state)
    assert got["digits"] == [container_check_digit(p) for p in prefixes]
    for plate, (state, normalised) in zip(plates, got["plates"], strict=True):
        try:
            expected = normalise_plate(plate)
        except ValueError:
            expected = None
        assert (state == "valid") == (expected is not None), (plate, state)
        if expected is not None:
            assert normalised == expected
