"""A sealed bag's label is signed and says what was sealed — the seal, the gross weight with its scale
and calibration record, the sealing event — and its QR code carries exactly that text; an unsealed
bag's QR is its bare id. A custody step confirmed by scanning takes the signed label (verified) as it
takes the bare id, and refuses a forged or altered one without storing anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge.labels.label import qr_svg
from sync.labels import BAD_SIGNATURE, LabelRefused, parse_keys, read_label, sign_label, verify_label
from tests.support.custody_bench import SEAL, calibrated_bench, new_bag, sealed_bag, step
from tests.support.technician_bench import Bench


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with calibrated_bench(Path(tmp_path_factory.mktemp("labels"))) as bench:
        yield bench


def label(bench: Bench, bag_id: str) -> dict[str, Any]:
    return bench.ok("GET", f"/bags/{bag_id}/label", status=200, user="olga")


def keys(bench: Bench) -> Any:
    return parse_keys(bench.ok("GET", "/lane/keys", status=200, user="olga"))


def test_a_sealed_bags_label_is_signed_and_says_what_was_sealed(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 5.04)
    answer = label(bench, bag_id)
    says = verify_label(answer["text"], keys(bench))
    assert answer["signed"] and answer["says"] == says
    step_event = bench.server.store.get_seq(says["seq"])
    assert step_event["type"] == "seizure.custody" and step_event["payload"]["action"] == "sealed"
    assert step_event["hash"] == says["hash"] and step_event["ts"] == says["at"]
    weighed = step_event["payload"]["weighed"]
    assert (says["bag"], says["seal"], says["kg"], says["scale"]) == (bag_id, SEAL, "5.04", "bench-1")
    assert says["cal"] == weighed["calibration"]["last"]["id"] and says["cal_due"] is False
    assert says["lane"] == bench.server.config.lane_id


def test_the_qr_code_carries_the_label_text(bench: Bench) -> None:
    """The SVG served is the QR code of the label's text (regenerated with the same library: no QR
    decoder is installed); an unsealed bag's is the QR code of its id."""
    sealed, unsealed = sealed_bag(bench, 2.5), new_bag(bench)
    for bag_id, text in ((sealed, label(bench, sealed)["text"]), (unsealed, unsealed)):
        response = bench.call("GET", f"/bags/{bag_id}/qr.svg", user="olga")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True) == qr_svg(text)
    assert label(bench, unsealed) == {"bag_id": unsealed, "signed": False, "text": unsealed, "says": None}


def test_a_scanned_signed_label_confirms_a_custody_step(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 3.0)
    text = label(bench, bag_id)["text"]
    answer = step(bench, bag_id, "stored", confirmation="scan", scanned_text=text + "\r\n", location="Vault 2")
    assert answer.status_code == 201, answer.get_json()


def test_a_forged_or_altered_label_scanned_is_refused_and_nothing_stored(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 3.0)
    genuine = label(bench, bag_id)["text"]
    prefix, payload, signature = genuine.split(".")
    forged = sign_label({k: v for k, v in read_label(genuine).items() if k != "kid"},
                        Ed25519PrivateKey.generate())
    other = sealed_bag(bench, 1.0)  # another bag's genuine payload under this one's signature
    altered = f"{prefix}.{label(bench, other)['text'].split('.')[1]}.{signature}"
    with pytest.raises(LabelRefused) as refused:
        verify_label(altered, keys(bench))
    assert refused.value.code == BAD_SIGNATURE
    before = bench.server.store.count()
    for text in (forged, altered):
        answer = step(bench, bag_id, "stored", confirmation="scan", scanned_text=text, location="Vault 2")
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "label_not_verified"
    assert bench.server.store.count() == before
