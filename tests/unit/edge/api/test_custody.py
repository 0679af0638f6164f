"""Custody as evidence handlers practise it, through the real lane with a real bench scale on a pty
(bench-1: 60 kg by 0.02 kg, class III, calibrated): sealing, release and destruction countersigned by
a witness who is not the actor; the sealed bag weighed at sealing and again at a receipt, the
difference judged against the two weighings' in-service MPEs added (0.02 kg each up to 10 kg, 0.04 kg
each above); a broken seal or another seal number; every refusal stores nothing, every bad finding is
recorded with its custody alarm."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.custody_bench import ITEM, calibrated_bench, new_bag, new_id, sealed_bag, step, weigh
from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench

PNG = b"\x89PNG\r\n\x1a\n" + b"sealed bag on the bench" * 20


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with calibrated_bench(tmp_path_factory.mktemp("custody")) as bench:
        yield bench


def steps(bench: Bench, bag_id: str) -> list[str]:
    """The bag's custody actions as stored in the log."""
    events = bench.server.store.record_events([bag_id])
    return [e["payload"]["action"] for e in events if e["type"] == "seizure.custody"]


def bag_view(bench: Bench, bag_id: str) -> dict[str, Any]:
    added = next(e for e in bench.server.store.record_events([bag_id]) if e["type"] == "seizure.bag_added")
    seizure = bench.ok("GET", f"/seizures/{added['payload']['seizure_id']}", user="olga")
    return next(b for b in seizure["bags"] if b["bag_id"] == bag_id)


def test_sealing_records_the_witness_the_weight_with_its_mpe_and_the_photos(bench: Bench) -> None:
    bag_id = new_bag(bench)
    photo = bench.call("POST", "/photos", user="olga", data=PNG, content_type="image/png").get_json()["sha256"]
    weighing_id = weigh(bench, 5.0)
    sealed = step(bench, bag_id, "sealed", witness="sue", seal_number="GB 004711", weighing_id=weighing_id,
                  photos=[photo])
    assert sealed.status_code == 201, sealed.get_json()
    payload = sealed.get_json()["event"]["payload"]
    assert payload["witness"] == {"username": "sue", "role": "supervisor"}
    assert payload["weighed"]["event_id"] == weighing_id and payload["weighed"]["weight_kg"] == 5.0
    assert payload["weighed"]["mpe_kg"] == "0.02"  # 250 e: 0.5 e at verification, twice that in service
    assert payload["weighed"]["scale"]["accuracy_class"] == "III" and payload["photos"] == [photo]
    assert "X-Witness-Token" not in str(payload) and bench.tokens["sue"] not in str(payload)
    entry = bag_view(bench, bag_id)["custody"][0]
    assert entry["witness"]["username"] == "sue" and entry["seal_number"] == "GB 004711"


def test_a_bag_reweighed_within_the_combined_mpe_passes(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 5.0)
    received = step(bench, bag_id, "received", seal_intact=True, seal_number="gb-004711",
                    weighing_id=weigh(bench, 5.04))
    assert received.status_code == 201, received.get_json()
    payload = received.get_json()["event"]["payload"]
    assert payload["weight_check"] == {"sealed_kg": 5.0, "now_kg": 5.04, "difference_kg": 0.04, "limit_kg": 0.04,
                                       "ok": True}
    assert "alarms" not in payload and bag_view(bench, bag_id)["alarms"] == []


def test_a_bag_reweighed_beyond_the_combined_mpe_raises_a_custody_alarm(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 5.0)
    received = step(bench, bag_id, "received", to="Dover evidence store", seal_intact=True, seal_number="GB 004711",
                     weighing_id=weigh(bench, 4.94))
    assert received.status_code == 201, received.get_json()  # recorded all the same: evidence of a loss
    check = received.get_json()["event"]["payload"]["weight_check"]
    assert check == {"sealed_kg": 5.0, "now_kg": 4.94, "difference_kg": -0.06, "limit_kg": 0.04, "ok": False}
    alarms = bag_view(bench, bag_id)["alarms"]
    assert [a["code"] for a in alarms] == ["weight_differs"] and alarms[0]["action"] == "received"
    assert "0.06 kg lighter than when sealed (5 kg)" in alarms[0]["message"]
    seizure_id = bench.server.store.record_events([bag_id])[0]["payload"]["seizure_id"]
    text = " ".join(pdf_text(bench.call("GET", f"/seizures/{seizure_id}/report.pdf", user="olga",
                                        headers={"X-Justification": "audit"}).data).split())
    assert "CUSTODY ALARM" in text and "witnessed by sue" in text and "0.06 kg lighter" in text


def test_the_limit_grows_with_the_load_as_r76_says(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 12.0)  # 600 e: 1 e at verification, 0.04 kg in service; 0.08 kg for two
    received = step(bench, bag_id, "received", seal_intact=True, seal_number="GB 004711",
                    weighing_id=weigh(bench, 11.94))
    assert received.get_json()["event"]["payload"]["weight_check"]["limit_kg"] == 0.08
    assert received.get_json()["event"]["payload"]["weight_check"]["ok"] is True


def test_a_broken_seal_or_another_seal_number_raises_a_custody_alarm(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 5.0)
    broken = step(bench, bag_id, "received", seal_intact=False, weighing_id=weigh(bench, 5.0))
    assert broken.status_code == 201, broken.get_json()
    assert [a["code"] for a in broken.get_json()["event"]["payload"]["alarms"]] == ["seal_broken"]
    other = step(bench, bag_id, "received", seal_intact=True, seal_number="GB 009999")
    assert other.status_code == 201, other.get_json()
    assert [a["code"] for a in other.get_json()["event"]["payload"]["alarms"]] == ["seal_number_differs"]
    assert "weight_check" not in other.get_json()["event"]["payload"]  # not reweighed: no check, no false pass
    assert [a["code"] for a in bag_view(bench, bag_id)["alarms"]] == ["seal_broken", "seal_number_differs"]


@pytest.mark.parametrize("witness, user, status, code", [
    (None, "olga", 409, "witness_required"),
    ("olga", "olga", 409, "witness_is_actor"),
    ("sue", "sue", 409, "witness_is_actor"),
    ("tom", "olga", 409, "witness_role"),
    ("vic", "olga", 409, "witness_role"),
])
def test_a_sealing_without_a_proper_witness_is_refused_and_nothing_stored(bench: Bench, witness: str | None,
                                                                          user: str, status: int, code: str) -> None:
    bag_id = new_bag(bench)
    count = bench.server.store.count()
    refused = step(bench, bag_id, "sealed", witness=witness, user=user, seal_number="GB 1",
                   weighing_id=weigh(bench, 3.0))
    assert refused.status_code == status and refused.get_json()["error"]["code"] == code
    assert bench.server.store.count() == count + 1  # the weighing only
    assert steps(bench, bag_id) == []


def test_a_witness_token_that_is_no_live_session_is_refused(bench: Bench) -> None:
    bag_id = new_bag(bench)
    weighing_id = weigh(bench, 3.0)
    body = {"id": new_id(), "action": "sealed", "confirmation": "typed", "seal_number": "GB 2",
            "weighing_id": weighing_id}
    refused = bench.call("POST", f"/bags/{bag_id}/custody", user="olga", json=body,
                         headers={"X-Witness-Token": "sue-said-it-was-fine"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "witness_not_signed_in"
    assert steps(bench, bag_id) == []


def test_release_and_destruction_need_the_witness_too_and_a_replay_needs_none(bench: Bench) -> None:
    bag_id = sealed_bag(bench, 2.0)
    alone = step(bench, bag_id, "destroyed", location="Incinerator, Dover")
    assert alone.status_code == 409 and alone.get_json()["error"]["code"] == "witness_required"
    body = {"id": new_id(), "action": "released", "confirmation": "typed"}
    sue = bench.client.post("/api/v1/session", json={"username": "sue", "password": "lane test kettle drum"})
    token = sue.get_json()["token"]
    first = bench.call("POST", f"/bags/{bag_id}/custody", user="olga", json=body, headers={"X-Witness-Token": token})
    assert first.status_code == 201 and first.get_json()["event"]["payload"]["witness"]["username"] == "sue"
    bench.client.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"})  # the tablet signs sue out
    replay = bench.call("POST", f"/bags/{bag_id}/custody", user="olga", json=body)  # the outbox sends it again
    assert replay.status_code == 200 and replay.get_json()["event"] == first.get_json()["event"]
    assert steps(bench, bag_id) == ["sealed", "released"]


def test_sealing_on_a_lane_with_a_bench_scale_needs_the_weighing(bench: Bench) -> None:
    bag_id = new_bag(bench)
    refused = step(bench, bag_id, "sealed", witness="sue", seal_number="GB 3")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "weighing_required"
    assert refused.get_json()["error"]["field"] == "weighing_id" and steps(bench, bag_id) == []


def test_a_weighing_is_cited_once_the_receipt_cannot_reuse_the_sealing_one(bench: Bench) -> None:
    bag_id = new_bag(bench)
    weighing_id = weigh(bench, 5.0)
    assert step(bench, bag_id, "sealed", witness="sue", seal_number="GB 4", weighing_id=weighing_id).status_code == 201
    reused = step(bench, bag_id, "received", seal_intact=True, seal_number="GB 4", weighing_id=weighing_id)
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "weighing_reused"
    other_bag = new_bag(bench)
    taken = step(bench, other_bag, "sealed", witness="sue", seal_number="GB 5", weighing_id=weighing_id)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "weighing_reused"
    as_item = bench.call("POST", "/seizures", user="olga", json={
        "id": new_id(), "inspection_id": bench.inspection(), "legal_basis": "s.139",
        "items": [{**ITEM, "weighing_id": weighing_id}]})
    assert as_item.status_code == 409 and as_item.get_json()["error"]["code"] == "weighing_reused"
    assert steps(bench, bag_id) == ["sealed"] and steps(bench, other_bag) == []


@pytest.mark.parametrize("fields, field", [
    ({"action": "received", "seal_number": "GB 1"}, "seal_intact"),
    ({"action": "received", "seal_intact": True}, "seal_number"),
    ({"action": "stored", "seal_intact": True}, "seal_intact"),
])
def test_a_receipt_says_whether_the_seal_is_intact_and_what_it_reads(bench: Bench, fields: dict[str, Any],
                                                                     field: str) -> None:
    bag_id = sealed_bag(bench, 1.0)
    refused = step(bench, bag_id, fields.pop("action"), **fields)
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == field
    assert steps(bench, bag_id) == ["sealed"]
