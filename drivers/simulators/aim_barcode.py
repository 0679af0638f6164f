"""A serial barcode scanner, for tests and demos.

It sends each scan as a real scanner set to serial mode does: the AIM
symbology identifier (when prefixes are on), the data as UTF-8 with any
``<GS>`` kept, then the configured suffix. It takes no commands.
"""

from __future__ import annotations

import random
import threading

from drivers.simulators.device import DeviceSimulator
from drivers.validation.gs1 import gs1_check_digit
from drivers.validation.iso6346 import container_check_digit

SUFFIXES = ("\r", "\n", "\r\n")
GS = "\x1d"

#: real owner codes (BIC-registered), used with made-up serials
OWNER_CODES = ("CSQ", "MSC", "MAE", "TCN", "TGH", "HLX", "CMA", "OOL", "EMC", "SEG")
#: published valid container numbers (docs/protocols.md)
KNOWN_CONTAINERS = ("CSQU3054383", "TCNU7200794", "TOLU4734787", "GYOU4047990", "MWCU6059784")


class BarcodeSimulator(DeviceSimulator):
    kind = "barcode"
    driver = "aim-barcode"

    def __init__(self, aim_prefix: bool = True, suffix: str = "\r\n") -> None:
        super().__init__()
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {SUFFIXES!r}, not {suffix!r}")
        self.aim_prefix = aim_prefix
        self.suffix = suffix

    def scan(self, text: str, symbology: str | None = None) -> None:
        """One scan of ``text``; ``symbology`` (``"]C1"``…) is sent only with prefixes on."""
        prefix = symbology if self.aim_prefix and symbology else ""
        self.send((prefix + text + self.suffix).encode("utf-8"))

    def run_demo(self, stop: threading.Event, rng: random.Random, pace: float = 1.0) -> None:
        """An officer scanning at a human pace: mostly containers and GS1
        labels, a misread container now and then, sometimes a bag label."""
        while not stop.wait(rng.uniform(6, 12) * pace):
            text, symbology = demo_scan(rng)
            self.scan(text, symbology)


def demo_scan(rng: random.Random) -> tuple[str, str]:
    """One plausible scan for the demo: (text, AIM identifier)."""
    roll = rng.random()
    if roll < 0.35:
        return valid_container(rng), "]C0"
    if roll < 0.45:
        return invalid_container(rng), "]C0"
    if roll < 0.6:
        return "00" + with_gs1_check_digit(f"3{rng.randrange(10**16):016d}"), "]C1"
    if roll < 0.75:
        gtin = with_gs1_check_digit(f"0590123{rng.randrange(10**6):06d}")
        expiry = f"{rng.randint(26, 29):02d}{rng.randint(1, 12):02d}{rng.choice(('00', '15', '28'))}"
        return f"01{gtin}17{expiry}10LOT{rng.randint(1, 999)}{GS}21SN{rng.randrange(10**6):06d}", "]d2"
    if roll < 0.85:
        gtin = with_gs1_check_digit(f"1590123{rng.randrange(10**6):06d}")
        return f"01{gtin}3103{rng.randint(1000, 950000):06d}37{rng.randint(1, 48)}", "]C1"
    if roll < 0.93:
        return with_gs1_check_digit(f"590123{rng.randrange(10**6):06d}"), "]E0"
    return f"LBX-BAG-{rng.randint(2024, 2026)}-{rng.randrange(10**6):06d}", "]Q1"


def valid_container(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(KNOWN_CONTAINERS)
    first10 = f"{rng.choice(OWNER_CODES)}U{rng.randrange(10**6):06d}"
    return first10 + str(container_check_digit(first10))


def invalid_container(rng: random.Random) -> str:
    """A container number with its check digit wrong, as a misread gives."""
    good = valid_container(rng)
    wrong = (int(good[-1]) + rng.randint(1, 9)) % 10
    return good[:-1] + str(wrong)


def with_gs1_check_digit(digits: str) -> str:
    return digits + str(gs1_check_digit(digits))
