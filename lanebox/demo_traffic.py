"""The demo lanes' traffic: lorries driving through a lane, one after another.

A lane is more than its devices one by one: a lorry drives through the
radiation portal monitor, the gate camera reads its plate and container
and pushes the read to the lane, then it rolls onto the weighbridge, stands
and drives off. The demo plays that, so a newcomer sees the lane open a
vehicle card by itself (plate, container, radiation result, declaration)
and the same lorry on the scale. The lorries are the demo reference
declarations' (their plates and ISO 6346 container numbers), so the lane
finds each one's declaration; they come in a shuffled order that repeats
a plate only after all the others, so two passes of one plate never fall in
the lane's matching window and merge. Mostly the portal monitor sees a
clean load; now and then NORM cargo (tiles, fertiliser) sets off its gamma
alarm, rarely a neutron source; now and then the camera is unsure of a
plate, so the tablet asks the officer to confirm it.

Only the devices are simulated: the read goes to the lane over HTTP with
the camera's token, as a real camera's would. A lane that is down or
refuses a read is logged and the traffic carries on; :meth:`LaneTraffic.stop`
ends it and joins its thread.
"""

from __future__ import annotations

import base64
import io
import logging
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Iterator, Sequence

import requests
from PIL import Image, ImageDraw, ImageFont

from drivers.simulators.load import LoadDriven
from drivers.simulators.rapiscan_lines import RapiscanSimulator

log = logging.getLogger(__name__)

#: what the portal monitor finds in a lorry's load, with how often (RapiscanSimulator's kinds of load)
RADIATION = (("clean", 0.80), ("norm", 0.15), ("neutron", 0.05))
UNSURE_SHARE = 0.15
"""How often the camera is unsure of a plate: its confidence below the lane's ``confirm_below`` (0.8)."""
UNSURE_CONFIDENCE = (0.55, 0.75)
SURE_CONFIDENCE = (0.86, 0.99)
GAP_S = (10.0, 25.0)
"""Seconds between one lorry leaving the weighbridge and the next reaching the portal (times ``pace``)."""
FIRST_S = 2.0
"""The first lorry comes soon after the demo starts, so a newcomer sees one at once."""
PUSH_TIMEOUT_S = 5.0
CROP_SIZE = (320, 240)
PLATE_BOX = (14, 82, 306, 162)


@dataclass(frozen=True)
class Lorry:
    """One lorry's pass through the lane, as the devices will see it."""

    plate: str
    containers: tuple[str, ...]
    weight_kg: float
    radiation: str              # a RapiscanSimulator load: clean, norm or neutron
    plate_confidence: float
    container_confidence: float


def lorries(declarations: Sequence[dict[str, Any]], rng: random.Random) -> Iterator[Lorry]:
    """Endless lorries of the ``declarations`` that name a plate and a gross weight, in one
    shuffled order over and over: a plate comes back only after every other one has passed."""
    order = [d for d in declarations if d.get("plate") and d.get("gross_weight_kg")]
    if not order:
        raise ValueError("the demo traffic needs a declaration with a plate and a gross weight")
    rng.shuffle(order)
    while True:
        for declaration in order:
            yield lorry_of(declaration, rng)


def lorry_of(declaration: dict[str, Any], rng: random.Random) -> Lorry:
    """The lorry of one declaration: its plate and containers, about its declared weight (±3 %,
    to the weighbridge's 20 kg), a load the monitor sees, the camera's confidence in its read."""
    kinds, weights = zip(*RADIATION)
    unsure = rng.random() < UNSURE_SHARE
    return Lorry(plate=declaration["plate"], containers=tuple(declaration.get("containers", ())),
                 weight_kg=round(declaration["gross_weight_kg"] * rng.uniform(0.97, 1.03) / 20) * 20,
                 radiation=rng.choices(kinds, weights)[0],
                 plate_confidence=round(rng.uniform(*(UNSURE_CONFIDENCE if unsure else SURE_CONFIDENCE)), 2),
                 container_confidence=round(rng.uniform(*SURE_CONFIDENCE), 2))


def camera_read(lorry: Lorry, captured_at: datetime) -> dict[str, Any]:
    """The camera's push for ``lorry`` in lanebox's generic JSON (docs/cameras.md), with its plate crop."""
    return {"id": f"demo-{uuid.uuid4().hex[:16]}",
            "plate": {"text": lorry.plate, "confidence": lorry.plate_confidence},
            "containers": [{"code": code, "confidence": lorry.container_confidence} for code in lorry.containers],
            "image": base64.b64encode(plate_crop(lorry.plate)).decode("ascii"),
            "captured_at": captured_at.isoformat(timespec="milliseconds")}


def plate_crop(text: str) -> bytes:
    """A JPEG of a lorry's rear number plate reading ``text`` (black on yellow, the bumper around it),
    framed 4:3 as an ANPR camera crops it, so a tablet's thumbnail shows the whole plate."""
    image = Image.new("RGB", CROP_SIZE, (70, 74, 80))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 240), fill=(30, 30, 32))  # the bumper
    left, top, right, bottom = PLATE_BOX
    draw.rounded_rectangle(PLATE_BOX, radius=8, fill=(250, 205, 30), outline=(15, 15, 15), width=3)
    size = 56
    while size > 12 and draw.textlength(text, font=ImageFont.load_default(size=size)) > right - left - 20:
        size -= 2  # a long plate in a smaller type, as on the real plate
    draw.text(((left + right) / 2, (top + bottom) / 2), text, fill=(15, 15, 15),
              font=ImageFont.load_default(size=size), anchor="mm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class LaneTraffic:
    """Lorries through one demo lane, on a thread of its own, until :meth:`stop`.

    Each lorry drives through ``rpm`` (a few seconds, at 5-12 km/h); a moment after it enters,
    the camera ``camera_id`` pushes its read to ``lane_url``; when it has left the portal it drives
    onto ``weighbridge``, settles, stands about 10 s and drives off. ``pace`` scales every duration.
    """

    def __init__(self, lane_url: str, camera_id: str, token: str, rpm: RapiscanSimulator,
                 weighbridge: LoadDriven, plan: Iterator[Lorry], rng: random.Random, pace: float = 1.0) -> None:
        self.push_url = f"{lane_url}/api/v1/cameras/{camera_id}/reads"
        self.rpm, self.weighbridge, self.plan, self.rng, self.pace = rpm, weighbridge, plan, rng, pace
        self._http = requests.Session()
        self._http.headers["Authorization"] = f"Bearer {token}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"demo-traffic-{camera_id}", daemon=True)

    def start(self) -> LaneTraffic:
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the traffic and wait for its thread (a push in flight ends within its timeout)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(PUSH_TIMEOUT_S + 2)
        self._http.close()

    def _run(self) -> None:
        wait = FIRST_S * self.pace
        while not self._stop.wait(wait):
            self.drive_through(next(self.plan))
            wait = self.rng.uniform(*GAP_S) * self.pace

    def drive_through(self, lorry: Lorry) -> None:
        """One lorry's whole pass: portal, camera, weighbridge (cut short by :meth:`stop`)."""
        pace, rng = self.pace, self.rng
        in_portal = max(1.0, rng.uniform(3, 7) * pace)
        self.rpm.drive_vehicle(lorry.radiation, seconds=in_portal, speed_kmh=round(rng.uniform(5, 12), 1))
        camera_after = min(in_portal / 2, rng.uniform(1, 2) * pace)
        if self._stop.wait(camera_after):
            return
        self.push(lorry)
        if self._stop.wait(in_portal - camera_after):
            return
        ramp, settle = rng.uniform(3, 5) * pace, rng.uniform(2, 3) * pace
        self.weighbridge.model.drive_on(lorry.weight_kg, ramp, settle)
        if self._stop.wait(ramp + settle + rng.uniform(9, 11) * pace):
            return
        ramp = rng.uniform(3, 5) * pace
        self.weighbridge.model.drive_off(ramp, pace)
        self._stop.wait(ramp + pace)

    def push(self, lorry: Lorry) -> bool:
        """Push the camera's read of ``lorry``; False (logged) when the lane is down or refuses it."""
        try:
            response = self._http.post(self.push_url, json=camera_read(lorry, datetime.now(UTC)),
                                       timeout=PUSH_TIMEOUT_S)
        except requests.RequestException as exc:
            log.warning("demo camera: the lane did not take the read of %s: %s", lorry.plate, exc)
            return False
        if response.status_code not in (200, 201):
            log.warning("demo camera: the lane refused the read of %s: %s %s", lorry.plate,
                        response.status_code, response.text[:200])
            return False
        return True
