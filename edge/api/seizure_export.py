"""The export of one seizure in the WCO CEN shape (``lanebox-cen-1``, docs/seizure-export.md).

It hands names, document numbers and birth dates to another system — a
disclosure of personal data — so the route is declared with the consultation
log: the export is refused without a reason (``X-Justification``) and is
entered in the lane's log, with the reason, before a byte of it is served.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.clock import utc_now_iso
from common.web.consultation import Consultation
from common.web.routing import current_session, endpoint, lane_server
from edge.api.inspections import find_inspection, lane_identity
from edge.api.seizures import seizure_or_404
from edge.seizures.export import cen_export

bp = Blueprint("seizure_export", __name__, url_prefix="/api/v1")

CEN_EXPORT = Consultation(what="seizure export", action="export",
                          fields=("persons", "companies", "conveyance", "route"))
"""Every export asks why, whether it names persons or not: what leaves the system is accounted for."""


@endpoint(bp, "/seizures/<seizure_id>/export.json", "GET", consultation=CEN_EXPORT,
          summary="The seizure in the WCO CEN shape (format lanebox-cen-1): detection, concealment, conveyance, "
                  "route, commodities, persons, companies, its bags and the events it rests on")
def export_seizure(seizure_id: str) -> Any:
    server = lane_server()
    seizure = seizure_or_404(server.store, seizure_id)
    return cen_export(seizure, find_inspection(server.store, seizure["inspection_id"]), lane_identity(server),
                      utc_now_iso(), current_session().username)
