"""The order of a sample's custody, on its own: a sample is taken from a sealed bag still in custody,
never from a sample; only a sample goes to a laboratory; while it is there only its return is
recorded; a return that used the sample up ends its custody."""

from __future__ import annotations

import pytest

from common.custody import CONSUMED, bag_state, custody_refusal, history_of, last_sealing, last_weighed


@pytest.mark.parametrize("history, action, sample", [
    (["sealed"], "sampled", False),
    (["sealed", "received", "stored"], "sampled", False),
    (["sealed", "sampled"], "sampled", False),
    (["sealed"], "submitted_to_lab", True),
    (["sealed", "submitted_to_lab"], "returned_from_lab", True),
    (["sealed", "submitted_to_lab", "returned_from_lab"], "stored", True),
    (["sealed", "submitted_to_lab", "returned_from_lab"], "submitted_to_lab", True),
])
def test_what_may_follow(history: list[str], action: str, sample: bool) -> None:
    assert custody_refusal(history, action, sample) is None


@pytest.mark.parametrize("history, action, sample, words", [
    ([], "sampled", False, "not sealed yet"),
    (["sealed", "destroyed"], "sampled", False, "custody has ended"),
    (["sealed"], "sampled", True, "not sampled again"),
    (["sealed"], "submitted_to_lab", False, "only a sample goes to a laboratory"),
    (["sealed"], "returned_from_lab", True, "was not submitted"),
    (["sealed", "submitted_to_lab"], "received", True, "at the laboratory"),
    (["sealed", "submitted_to_lab"], "submitted_to_lab", True, "at the laboratory"),
    (["sealed", "submitted_to_lab", CONSUMED], "received", True, "custody has ended"),
])
def test_what_may_not(history: list[str], action: str, sample: bool, words: str) -> None:
    refusal = custody_refusal(history, action, sample)
    assert refusal is not None and words in refusal


def test_a_return_that_used_the_sample_up_ends_its_custody() -> None:
    custody = [{"action": "sealed"}, {"action": "submitted_to_lab"}, {"action": "returned_from_lab", "consumed": True}]
    assert history_of(custody) == ["sealed", "submitted_to_lab", CONSUMED]
    assert bag_state(history_of(custody)) == CONSUMED
    kept = [*custody[:2], {"action": "returned_from_lab", "consumed": False}]
    assert bag_state(history_of(kept)) == "returned_from_lab"


def test_a_sampling_reseals_the_bag_and_its_weight_is_the_last_one() -> None:
    custody = [{"action": "sealed", "seal_number": "A", "weighed": {"weight_kg": 5.0}},
               {"action": "received", "seal_number": "A", "weighed": {"weight_kg": 5.02}},
               {"action": "sampled", "seal_number": "B", "weighed": {"weight_kg": 4.5}},
               {"action": "stored"}]
    assert last_sealing(custody)["seal_number"] == "B"
    assert last_weighed(custody)["weighed"]["weight_kg"] == 4.5
    assert last_weighed(custody[:2])["weighed"]["weight_kg"] == 5.02
