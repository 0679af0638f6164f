"""The custody rules on their own: who may witness which step, and how a seal is read."""

from __future__ import annotations

import pytest

from common.custody import SEAL_BROKEN, SEAL_NUMBER_DIFFERS, same_seal, seal_alarms, witness_refusal

SUE = {"username": "sue", "role": "supervisor"}


@pytest.mark.parametrize("action, actor, witness, code", [
    ("sealed", "olga", None, "witness_required"),
    ("released", "olga", None, "witness_required"),
    ("destroyed", "olga", None, "witness_required"),
    ("sealed", "sue", SUE, "witness_is_actor"),
    ("sealed", "olga", {"username": "tom", "role": "technician"}, "witness_role"),
    ("destroyed", "olga", {"username": "vic", "role": "viewer"}, "witness_role"),
])
def test_who_cannot_witness(action: str, actor: str, witness: dict[str, str] | None, code: str) -> None:
    refused = witness_refusal(action, actor, witness)
    assert refused is not None and refused[0] == code


@pytest.mark.parametrize("action, witness", [("sealed", SUE), ("handed_over", None), ("received", None),
                                             ("stored", None), ("handed_over", SUE)])
def test_who_can_witness_and_which_steps_need_none(action: str, witness: dict[str, str] | None) -> None:
    assert witness_refusal(action, "olga", witness) is None


def test_a_seal_number_is_read_as_by_eye_and_a_broken_or_other_seal_is_an_alarm() -> None:
    assert same_seal("GB 004711", "gb-004711") and not same_seal("GB 004711", "GB 004717")
    assert seal_alarms("GB 004711", True, "gb 004711") == []
    assert [a["code"] for a in seal_alarms("GB 004711", False, "GB 004712")] == [SEAL_BROKEN, SEAL_NUMBER_DIFFERS]
    assert [a["code"] for a in seal_alarms("GB 004711", False, None)] == [SEAL_BROKEN]
