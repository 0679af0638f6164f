"""A scanned label at a custody step: the bag it names, a signed label only once verified.

A sealed bag's QR carries its signed label, an unsealed one's its bare id;
both confirm a custody step of that bag. A signed label that does not
verify with the lane's keys is refused outright — a forged or altered label
on a bag is news to act on, not a bag id to take from it.
"""

from __future__ import annotations

from common.web.errors import ApiError
from sync.labels import LabelRefused, LaneKey, is_label, verify_label

NOT_VERIFIED = "label_not_verified"


def scanned_bag_id(text: str, keys: list[LaneKey]) -> str:
    """The bag id ``text`` (a scan, or an id typed) names; 400 ``label_not_verified`` for a
    signed label none of ``keys`` signed."""
    text = text.strip()
    if not is_label(text):
        return text
    try:
        return verify_label(text, keys)["bag"]
    except LabelRefused as exc:
        raise ApiError(400, NOT_VERIFIED, f"scanned_text: the label does not verify: {exc}",
                       field="scanned_text") from None
