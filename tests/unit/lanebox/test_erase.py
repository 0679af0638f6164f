"""``lanebox erase`` and ``lanebox legal-hold`` (issue #17), run as the command beside a running lane: a held
case is refused erasure with the reason and exit 1, nothing written; lifted, it is erased (its key destroyed)
and the lane's view says so; an unknown case is one line and exit 1; ``lanebox verify`` still passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from common.eventlog.case_keys import held_keys
from tests.support.passport_lane import COURT, passport_lane, read_passport


def lanebox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lanebox", *args], capture_output=True, text=True, timeout=120)


def test_a_held_case_is_not_erased_by_the_command_and_is_once_the_hold_is_lifted(tmp_path: Path) -> None:
    with passport_lane(tmp_path / "lane") as lane:
        config = tmp_path / "lane.toml"
        config.write_text(f'[lane]\nid = "{lane.server.config.lane_id}"\n\n'
                          f'[server]\ndata_dir = "{lane.root}"\n')
        case_id = read_passport(lane)
        store = lane.server.store
        about = ("--config", str(config), "--case", case_id, "--by", "sue")

        held = lanebox("legal-hold", "set", *about, "--reason", "appeal pending")
        assert held.returncode == 0, held.stderr
        count = store.count()
        refused = lanebox("erase", *about, "--reason", "the traveller's request")
        assert refused.returncode == 1 and "under legal hold (appeal pending, set by sue)" in refused.stderr
        assert store.count() == count and case_id in held_keys(store, [case_id])

        assert lanebox("legal-hold", "lift", *about, "--reason", "appeal decided").returncode == 0
        erased = lanebox("erase", *about, "--reason", "the traveller's request")
        assert erased.returncode == 0, erased.stderr
        assert f"erased the personal data of case {case_id}" in erased.stdout
        assert held_keys(store, [case_id]) == {}
        shown = lane.call("GET", f"/inspections/{case_id}", user="sue", headers=COURT).get_json()
        assert shown["document"]["erased"] is True and shown["erasure"]["by"] == "sue"

        unknown = lanebox("erase", "--config", str(config), "--case", "no-such-case", "--by", "sue", "--reason", "x")
        assert unknown.returncode == 1 and "no case no-such-case" in unknown.stderr
        assert lanebox("verify", "--config", str(config)).returncode == 0
