"""Case bundles for court: ``GET /inspections/{id}/bundle.zip`` and ``/seizures/{id}/bundle.zip``.

A bundle hands a whole case out of the system — documents, photos, every
event — so it is a disclosure: a supervisor's act (the person who prepares
a case file for the prosecutor or answers a court's order), always with a
reason (``X-Justification``), logged before the zip leaves the box. The
reason is written into the bundle's manifest too, so the bundle itself says
why it was made.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from common.roles import SUPERVISORS
from common.web.consultation import HEADER, Consultation, parse_justification
from common.web.routing import current_session, endpoint, lane_server
from edge.api.inspections import inspection_or_404, inspection_report_pdf
from edge.api.seizures import seizure_or_404, seizure_report_pdf
from edge.bundle.archive import Case, build_bundle

bp = Blueprint("bundles", __name__, url_prefix="/api/v1")

BUNDLE_EXPORT = Consultation(what="case bundle", action="export",
                             fields=("document", "findings", "items", "photos", "events"))


def _bundle(case: Case) -> Response:
    justification = parse_justification(request.headers.get(HEADER))
    data = build_bundle(lane_server(), case, current_session().username,
                        justification.as_json() if justification else None)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{case.kind}-{case.id}-bundle.zip"'})


@endpoint(bp, "/inspections/<inspection_id>/bundle.zip", "GET", roles=SUPERVISORS, consultation=BUNDLE_EXPORT,
          summary="The inspection's case bundle for court (zip): its and its seizures' events, the chain proof, "
                  "reports, photos, raw frames, calibration certificates, checkpoints; signed by the lane")
def inspection_bundle(inspection_id: str) -> Any:
    server = lane_server()
    inspection = inspection_or_404(server.store, inspection_id)
    seizures = [seizure_or_404(server.store, seizure_id) for seizure_id in inspection["seizures"]]
    reports = {f"inspection-{inspection['id']}.pdf": inspection_report_pdf(server, inspection),
               **{f"seizure-{s['id']}.pdf": seizure_report_pdf(server, s) for s in seizures}}
    return _bundle(Case("inspection", inspection["id"], [inspection["id"], *inspection["seizures"]], reports))


@endpoint(bp, "/seizures/<seizure_id>/bundle.zip", "GET", roles=SUPERVISORS, consultation=BUNDLE_EXPORT,
          summary="The seizure's case bundle for court (zip): its and its inspection's events, the chain proof, "
                  "its report, photos, raw frames, calibration certificates, checkpoints; signed by the lane")
def seizure_bundle(seizure_id: str) -> Any:
    server = lane_server()
    seizure = seizure_or_404(server.store, seizure_id)
    reports = {f"seizure-{seizure['id']}.pdf": seizure_report_pdf(server, seizure)}
    return _bundle(Case("seizure", seizure["id"], [seizure["id"], seizure["inspection_id"]], reports))
