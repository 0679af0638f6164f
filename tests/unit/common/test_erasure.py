"""``[retention]`` in the lane's and the hub's configs (one clear line for each mistake: a misspelt record
type would keep data for ever), the record type of a case, and a case's standing folded from its events."""

from __future__ import annotations

import pytest

from common.config import ConfigError
from common.erasure import ERASED, LEGAL_HOLD, case_standing, erasure_words, record_type
from edge.config import parse_config
from sync.hub.config import parse_hub_config

LANE = {"lane": {"id": "L1"}, "server": {"data_dir": "/tmp/l1"}}
HUB = {"hub": {"id": "HUB", "data_dir": "/tmp/hub"}}


def test_retention_periods_are_read_by_the_lane_and_the_hub():
    periods = {"released_inspection": 90, "referred_inspection": 365, "seizure": 3650}
    assert parse_config({**LANE, "retention": periods}).retention.days == periods
    assert parse_hub_config({**HUB, "retention": {"seizure": 3650}}).retention.period("seizure") == 3650
    assert parse_config(LANE).retention.days == {}  # none given: nothing is erased by retention


@pytest.mark.parametrize(("table", "message"), [
    ({"released_inspections": 90}, "retention.released_inspections: unknown key"),
    ({"seizure": 0}, "retention.seizure: must be between 1 and 36500 days"),
    ({"seizure": 36501}, "retention.seizure: must be between 1 and 36500 days"),
    ({"seizure": "ten years"}, "retention.seizure: must be an integer"),
])
def test_a_wrong_retention_setting_is_one_clear_line(table, message):
    for parse, raw in ((parse_config, LANE), (parse_hub_config, HUB)):
        with pytest.raises(ConfigError, match=message):
            parse({**raw, "retention": table})


def test_the_record_type_of_a_case():
    assert record_type("open", None, False) is None
    assert record_type("closed", "release", False) == "released_inspection"
    assert record_type("closed", "refer", False) == "referred_inspection"
    assert record_type("closed", "seize", False) == record_type("closed", "release", True) == "seizure"


def test_a_cases_standing_follows_its_holds_and_its_erasure():
    def event(kind, ts, **payload):
        return {"id": ts, "type": kind, "ts": ts, "actor": "sue", "payload": payload}

    held = [event(LEGAL_HOLD, "2026-01-01T00:00:00.000Z", hold=True, reason="appeal")]
    assert case_standing(held).hold == {"at": "2026-01-01T00:00:00.000Z", "by": "sue", "reason": "appeal"}
    lifted = [*held, event(LEGAL_HOLD, "2026-02-01T00:00:00.000Z", hold=False, reason="decided")]
    assert case_standing(lifted).hold is None
    erased = case_standing([*lifted, event(ERASED, "2026-03-01T00:00:00.000Z", why="ordered", reason="DSR")]).erased
    assert erasure_words(erased) == "erased on 2026-03-01 (erasure ordered by sue: DSR)"
