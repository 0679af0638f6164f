"""What a bag's label says: the signed label of a sealed bag, its bare id before.

A label is signed from the custody step whose seal the bag carries now alone
(its ``sealed`` step, or the last ``sampled`` step that opened and resealed
it) — the bag, the seal number, the gross weight taken then with the scale
and the calibration record it stood on, and the chain head at that step (the
event's own seq and hash) at the box's time — so a label printed again next
week is the same text, two printouts can be compared by eye, and a bag
resealed after sampling gets a label naming its new seal and weight.
A bag not sealed yet has nothing to vouch for: its QR is its id, and the
sheet says the label is not signed yet.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import qrcode
import qrcode.image.svg

from common.custody import last_sealing
from common.eventlog.store import EventStore
from edge.labels.keys import LaneSigner

QR_BORDER = 4
"""Modules of quiet zone around the code: the four the QR standard asks for."""


def signed_fields(store: EventStore, bag: dict[str, Any]) -> dict[str, Any] | None:
    """The facts a sealed bag's label signs (all of :data:`sync.labels.FIELDS` but ``lane`` and
    ``kid``), or None for a bag not sealed yet."""
    sealed = last_sealing(bag["custody"])
    if sealed is None:
        return None
    event = store.get(sealed["event_id"])
    if event is None:  # the view is folded from the log, so the event is there
        return None
    weighed = sealed.get("weighed") or {}
    calibration = (weighed.get("calibration") or {}).get("last") or {}
    weight = weighed.get("weight_kg")
    return {"bag": bag["bag_id"], "seal": sealed.get("seal_number"),
            "kg": None if weight is None else format(Decimal(str(weight)), "f"),
            "scale": weighed.get("device_id"), "cal": calibration.get("id"),
            "cal_due": weighed.get("calibration_due") if weighed else None,
            "seq": event["seq"], "hash": event["hash"], "at": event["ts"]}


def label_text(store: EventStore, bag: dict[str, Any], signer: LaneSigner) -> str:
    """What the bag's QR code carries: its signed label once sealed, its id before."""
    fields = signed_fields(store, bag)
    return bag["bag_id"] if fields is None else signer.sign(fields)


def qr_svg(text: str) -> str:
    """``text`` as a QR code in SVG (error correction M, the smallest version it fits)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")
