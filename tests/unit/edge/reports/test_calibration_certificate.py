"""A certificate of a scale calibration recorded before the reading method was
stated still prints, and says its points were judged as displayed."""

from __future__ import annotations

from edge.reports.calibration import DISPLAYED, calibration_certificate
from tests.support.pdf_text import pdf_text

POINT = {"step": "zero", "load": "0", "prompt": "Empty the platform", "indication": "0", "error": "0", "mpe": "5",
         "passed": True, "reading": {"seq": 4, "ts": "2026-10-01T08:00:00Z", "weight": 0, "unit": "kg",
                                     "raw": "S S          0 kg\r\n"}}
OLD_RECORD = {"started_at": "2026-10-01T07:59:00Z", "started_by": "tom", "in_service": False, "adjustment": None,
              "instrument": {"max": "60000", "e": "20", "accuracy_class": "III", "unit": "kg", "n": 3000,
                             "min": "400"},
              "weights": [{"id": "M-1", "nominal": 1000, "certificate": "UKAS-01", "certificate_date": "2026-01-15"}],
              "steps": [{"step": "zero", "passed": True, "points": [POINT]}]}


def test_an_old_record_says_it_was_judged_as_displayed() -> None:
    event = {"id": "e-1", "seq": 7, "type": "calibration.recorded", "ts": "2026-10-01T08:05:00Z", "actor": "tom",
             "lane": "L-1", "prev_hash": "0" * 64, "hash": "a" * 64,
             "payload": {"device_id": "scale-1", "kind": "scale-r76", "passed": True, "session_id": "s-1",
                         "record": OLD_RECORD}}
    pdf = calibration_certificate(lane={"id": "L-1", "name": "Lane one"}, event=event,
                                  chain={"ok": True, "checked": 7, "problems": []},
                                  generated_at="2026-11-29T10:00:00Z")
    text = " ".join(pdf_text(pdf).split())
    assert " ".join(DISPLAYED.split()) in text and "PASS" in text
