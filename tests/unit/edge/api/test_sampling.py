"""Sampling into sub-bags (issue #17) through the real lane with a real bench scale on a pty (bench-1:
60 kg by 0.02 kg, class III, calibrated): a sample taken from a sealed bag into a sub-bag sealed and
weighed before a witness; the parent's "sampled" step (opened before a witness, resealed, reweighed)
judged by parent before − sample ≈ parent after within the three weighings' MPEs added, beyond it
recorded with a custody alarm; a receipt afterwards judged against the resealed weight and seal; the
sub-bag submitted to a laboratory and returned, in that order. Every refusal stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.custody_bench import SEAL, calibrated_bench, new_id, sealed_bag, step, weigh
from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench

NEW_SEAL = "GB 004712"


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with calibrated_bench(tmp_path_factory.mktemp("sampling")) as bench:
        yield bench


def take_sample(bench: Bench, parent: str) -> Any:
    return bench.call("POST", f"/bags/{parent}/samples", user="olga",
                      json={"id": new_id(), "description": "Sample of 2 cartons for analysis"})


def sealed_sample(bench: Bench, parent: str, kg: float) -> str:
    """A sub-bag of ``parent`` holding ``kg``, sealed before sue; its id."""
    taken = take_sample(bench, parent)
    assert taken.status_code == 201, taken.get_json()
    sample_id = taken.get_json()["bag"]["bag_id"]
    sealed = step(bench, sample_id, "sealed", witness="sue", seal_number="GB S-1", weighing_id=weigh(bench, kg))
    assert sealed.status_code == 201, sealed.get_json()
    return sample_id


def sampled(bench: Bench, parent: str, sample_id: str, kg: float, **fields: Any) -> Any:
    return step(bench, parent, "sampled", witness="sue", sample_bag_id=sample_id, seal_number=NEW_SEAL,
                weighing_id=weigh(bench, kg), **fields)


def bag_of(bench: Bench, bag_id: str) -> dict[str, Any]:
    seizure_id = bench.server.store.record_events([bag_id])[0]["payload"]["seizure_id"]
    return next(b for b in bench.ok("GET", f"/seizures/{seizure_id}", user="olga")["bags"] if b["bag_id"] == bag_id)


def test_a_sampling_within_the_three_mpes_passes_and_the_sub_bag_is_under_its_parent(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    sample_id = sealed_sample(bench, parent, 0.5)
    answer = sampled(bench, parent, sample_id, 4.52)
    assert answer.status_code == 201, answer.get_json()
    payload = answer.get_json()["event"]["payload"]
    # 5 kg and 4.52 kg: 250 e, 0.02 kg in service each; 0.5 kg: 25 e, 0.02 kg: 0.06 kg for the three
    assert payload["sample_check"] == {"before_kg": 5.0, "sample_kg": 0.5, "after_kg": 4.52, "expected_kg": 4.5,
                                       "difference_kg": 0.02, "limit_kg": 0.06, "ok": True}
    assert payload["witness"]["username"] == "sue" and "alarms" not in payload
    sample = bag_of(bench, sample_id)
    assert sample["parent_bag_id"] == parent and sample["items"] == bag_of(bench, parent)["items"]
    assert bag_of(bench, parent)["state"] == "sampled"


def test_a_sampling_beyond_the_three_mpes_is_recorded_with_a_custody_alarm(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    sample_id = sealed_sample(bench, parent, 0.5)
    answer = sampled(bench, parent, sample_id, 4.40)  # 0.1 kg more gone than the sample
    assert answer.status_code == 201, answer.get_json()  # recorded all the same: evidence of a loss
    check = answer.get_json()["event"]["payload"]["sample_check"]
    assert check["difference_kg"] == pytest.approx(-0.1) and check["limit_kg"] == 0.06 and check["ok"] is False
    alarms = bag_of(bench, parent)["alarms"]
    assert [a["code"] for a in alarms] == ["weight_differs"] and alarms[0]["action"] == "sampled"
    assert "0.1 kg lighter than 5 kg less the sample's 0.5 kg" in alarms[0]["message"]


def test_after_sampling_a_receipt_is_judged_against_the_resealed_weight_and_seal(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    sampled(bench, parent, sealed_sample(bench, parent, 0.5), 4.5)
    received = step(bench, parent, "received", seal_intact=True, seal_number=NEW_SEAL, weighing_id=weigh(bench, 4.52))
    assert received.status_code == 201, received.get_json()
    payload = received.get_json()["event"]["payload"]
    assert payload["weight_check"]["sealed_kg"] == 4.5 and payload["weight_check"]["ok"] is True
    assert "alarms" not in payload
    old_seal = step(bench, parent, "received", seal_intact=True, seal_number=SEAL)
    assert [a["code"] for a in old_seal.get_json()["event"]["payload"]["alarms"]] == ["seal_number_differs"]



def test_a_resealed_bag_is_labelled_with_its_new_seal_and_weight(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    assert bench.ok("GET", f"/bags/{parent}/label", user="olga")["says"]["seal"] == SEAL
    assert sampled(bench, parent, sealed_sample(bench, parent, 0.5), 4.52).status_code == 201
    says = bench.ok("GET", f"/bags/{parent}/label", user="olga")["says"]
    assert (says["seal"], says["kg"]) == (NEW_SEAL, "4.52")


def test_the_sample_goes_to_the_laboratory_and_back_and_the_report_says_so(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    sample_id = sealed_sample(bench, parent, 0.5)
    sampled(bench, parent, sample_id, 4.5)
    sent = step(bench, sample_id, "submitted_to_lab", lab="LGC Forensics, Teddington", lab_reference="LGC-2026-4471")
    assert sent.status_code == 201, sent.get_json()
    back = step(bench, sample_id, "returned_from_lab", result_reference="LGC-R-88123", consumed=True)
    assert back.status_code == 201, back.get_json()
    sample = bag_of(bench, sample_id)
    assert [s["action"] for s in sample["custody"]] == ["sealed", "submitted_to_lab", "returned_from_lab"]
    assert sample["custody"][1]["lab"] == "LGC Forensics, Teddington" and sample["custody"][2]["consumed"] is True
    assert sample["state"] == "consumed"
    after = step(bench, sample_id, "stored", location="evidence store")
    assert after.status_code == 409 and after.get_json()["error"]["code"] == "custody_order"
    seizure_id = bench.server.store.record_events([parent])[0]["payload"]["seizure_id"]
    text = " ".join(pdf_text(bench.call("GET", f"/seizures/{seizure_id}/report.pdf", user="olga",
                                        headers={"X-Justification": "audit"}).data).split())
    assert f"{sample_id}: sample of {parent}" in text
    assert "submitted to LGC Forensics, Teddington, their reference LGC-2026-4471" in text
    assert "returned from the laboratory, result LGC-R-88123; the sample was used up" in text
    assert "less the sample's 0.5 kg" in text


def test_a_sample_kept_after_analysis_goes_on_in_custody(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    sample_id = sealed_sample(bench, parent, 0.5)
    step(bench, sample_id, "submitted_to_lab", lab="LGC", lab_reference="L-1")
    back = step(bench, sample_id, "returned_from_lab", result_reference="R-1", consumed=False)
    assert back.status_code == 201
    assert step(bench, sample_id, "stored", location="evidence store").status_code == 201


def count_and(bench: Bench, bag_id: str) -> tuple[int, list[str]]:
    return bench.server.store.count(), [s["action"] for s in bag_of(bench, bag_id)["custody"]]


@pytest.mark.parametrize("action, fields, status, code", [
    ("submitted_to_lab", {"lab": "LGC", "lab_reference": "L-1"}, 409, "custody_order"),  # the parent is no sample
    ("returned_from_lab", {"result_reference": "R", "consumed": False}, 409, "custody_order"),
    ("submitted_to_lab", {"lab": "LGC"}, 400, "invalid_field"),
    ("stored", {"lab": "LGC"}, 400, "invalid_field"),
])
def test_laboratory_steps_out_of_place_are_refused_and_nothing_stored(bench: Bench, action: str,
                                                                      fields: dict[str, Any], status: int,
                                                                      code: str) -> None:
    parent = sealed_bag(bench, 5.0)
    before = count_and(bench, parent)
    refused = step(bench, parent, action, **fields)
    assert refused.status_code == status and refused.get_json()["error"]["code"] == code
    assert count_and(bench, parent) == before


def test_a_sample_at_the_laboratory_takes_only_its_return(bench: Bench) -> None:
    parent = sealed_bag(bench, 5.0)
    sample_id = sealed_sample(bench, parent, 0.5)
    assert step(bench, sample_id, "returned_from_lab", result_reference="R", consumed=False).status_code == 409
    step(bench, sample_id, "submitted_to_lab", lab="LGC", lab_reference="L-1")
    before = count_and(bench, sample_id)
    refused = step(bench, sample_id, "received", seal_intact=True, seal_number="GB S-1")
    assert refused.status_code == 409 and "at the laboratory" in refused.get_json()["error"]["message"]
    assert count_and(bench, sample_id) == before


def test_samplings_out_of_order_are_refused_and_nothing_stored(bench: Bench) -> None:
    seizure_id = bench.server.store.record_events([sealed_bag(bench, 5.0)])[0]["payload"]["seizure_id"]
    loose = {"id": new_id(), "description": "loose", "items": [0]}
    unsealed = bench.ok("POST", f"/seizures/{seizure_id}/bags", loose, status=201, user="olga")["bag"]["bag_id"]
    count = bench.server.store.count()
    refused = take_sample(bench, unsealed)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "custody_order"
    assert bench.server.store.count() == count

    parent = sealed_bag(bench, 5.0)
    seizure_id = bench.server.store.record_events([parent])[0]["payload"]["seizure_id"]
    other = bench.ok("POST", f"/seizures/{seizure_id}/bags", {**loose, "id": new_id()}, status=201,
                     user="olga")["bag"]["bag_id"]  # a bag of the same seizure, sealed: not the sample's parent
    sealed_other = step(bench, other, "sealed", witness="sue", seal_number="GB 9", weighing_id=weigh(bench, 3.0))
    assert sealed_other.status_code == 201
    sample_id = sealed_sample(bench, parent, 0.5)
    of_sample = take_sample(bench, sample_id)
    assert of_sample.status_code == 409 and "not sampled again" in of_sample.get_json()["error"]["message"]
    unsealed_sample = take_sample(bench, parent).get_json()["bag"]["bag_id"]
    for bag, fields, witness, code in (
            (other, {"sample_bag_id": sample_id}, "sue", "not_a_sample_of_this_bag"),
            (parent, {"sample_bag_id": unsealed_sample}, "sue", "sample_not_sealed"),
            (parent, {"sample_bag_id": sample_id}, None, "witness_required")):
        before = count_and(bench, bag)
        refused = step(bench, bag, "sampled", witness=witness, seal_number=NEW_SEAL, weighing_id=weigh(bench, 4.5),
                       **fields)
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == code
        assert count_and(bench, bag) == (before[0] + 1, before[1])  # the weighing only
    assert sampled(bench, parent, sample_id, 4.5).status_code == 201
    again = sampled(bench, parent, sample_id, 4.5)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "sample_recorded"
    missing = step(bench, parent, "sampled", witness="sue", seal_number=NEW_SEAL)
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "sample_bag_id"
