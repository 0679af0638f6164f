"""The keys a tablet keeps to check any bag label of the port with no box.

A bag sealed at one lane is received at another, at the evidence store or
in the control room, so the tablet needs every lane's key, not only its own
lane's: this lane's keys come from its own log (:mod:`edge.labels.keys`),
the other lanes' from the hub's signed document the lane pulled and checked
(:mod:`sync.lane.lane_keys_puller`). Each key comes with its lane and the
time from which it signs.
"""

from __future__ import annotations

from typing import Any

from edge.labels.keys import LaneSigner
from sync.lane_keys import PortKeys


def keys_for_tablets(signer: LaneSigner, port: PortKeys | None) -> dict[str, Any]:
    """This lane's keys and every other lane's of ``port`` (None before the lane has the
    hub's document). The lane's own keys are its log's, never the hub's copy of them."""
    others = [key for key in port.keys if key.lane != signer.lane] if port else []
    return {"lane": signer.lane, "current": signer.kid,
            "keys": [key.as_dict() for key in (*signer.keys, *others)],
            "port": {"hub": port.hub, "lanes": sorted({key.lane for key in others})} if port else None}
