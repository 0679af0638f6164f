"""The lane's label keys, and what a bag's label says (docs/officer-api.md, "Labels").

The keys are public keys, harmless to hand out, but like every lane route
but sign-in they are served to a signed-in user: a tablet keeps them for the
day it has no box — this lane's and, once the lane has the hub's signed
document, every other lane's of the port; a lab or the defence gets the
port's from the hub.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.web.routing import endpoint, lane_server
from edge.api.seizures import bag_or_404
from edge.labels.label import label_text
from edge.labels.tablet_keys import keys_for_tablets
from sync.labels import is_label, read_label

bp = Blueprint("labels", __name__, url_prefix="/api/v1")


@endpoint(bp, "/lane/keys", "GET",
          summary="The public keys this lane signs evidence labels with, oldest first, each since its "
                  "lane.key_created event; then every other lane's of the port, from the hub's signed "
                  "document (port: the hub and those lanes, null until the lane has it)")
def lane_keys() -> Any:
    server = lane_server()
    port = server.hub_link.lane_keys_puller.port_keys() if server.hub_link else None
    return keys_for_tablets(server.label_signer, port)


@endpoint(bp, "/bags/<bag_id>/label", "GET",
          summary="What the bag's label (its QR code) carries: the signed label once the bag is sealed, "
                  "its id before")
def bag_label(bag_id: str) -> Any:
    server = lane_server()
    bag, _ = bag_or_404(server.store, bag_id)
    text = label_text(server.store, bag, server.label_signer)
    signed = is_label(text)
    return {"bag_id": bag["bag_id"], "signed": signed, "text": text, "says": read_label(text) if signed else None}
