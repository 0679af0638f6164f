"""A custody handover hidden by deleting one row of the lane's record index
(``record_events``): ``lanebox verify`` fails and names the row, and neither
the seizure's PDF nor the chain API calls the store whole while the index
differs from the chain; once the index is rebuilt from the chain
(``lanebox verify --repair``), the handover is back in the seizure's view
and report, and the rebuild is on the record."""

from __future__ import annotations

import sqlite3
from typing import Iterator

import pytest

from edge.store import lane_store_path
from lanebox.cli import main
from tests.support.officer_app import OfficerApp, start_officer_app
from tests.support.pdf_text import pdf_text

RECEIVER = "Border Force, Dover"


@pytest.fixture
def lane(tmp_path) -> Iterator[OfficerApp]:
    app = start_officer_app(tmp_path / "lane")
    try:
        yield app
    finally:
        app.server.stop()


@pytest.fixture
def handed_over(lane: OfficerApp) -> dict[str, str]:
    seizure_id = lane.seizure()
    bag_id = lane.bag(seizure_id)
    lane.custody(bag_id, "sealed", seal_number="GB 000777")
    event = lane.custody(bag_id, "handed_over", to=RECEIVER, confirmation="scan", scanned_text=bag_id)["event"]
    return {"seizure_id": seizure_id, "bag_id": bag_id, "seq": event["seq"]}


def hide_handover(lane: OfficerApp, handed_over: dict[str, str]) -> None:
    """Delete the index rows that tie the handover to its seizure and bag, as
    anyone with the store file can, beside the running lane."""
    database = sqlite3.connect(lane.server.store.path)
    database.execute("DELETE FROM record_events WHERE seq = ?", (handed_over["seq"],))
    database.commit()
    database.close()


def report_text(lane: OfficerApp, seizure_id: str) -> str:
    response = lane.call("GET", f"/seizures/{seizure_id}/report.pdf", user="vic", headers={"X-Justification": "audit"})
    assert response.status_code == 200
    return pdf_text(response.data)


def test_a_hidden_handover_fails_verify_and_is_never_called_whole(lane: OfficerApp, handed_over: dict[str, str],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = lane_store_path(lane.server.config.data_dir)
    assert main(["verify", "--store", str(path)]) == 0
    assert RECEIVER in report_text(lane, handed_over["seizure_id"])

    hide_handover(lane, handed_over)
    capsys.readouterr()
    assert main(["verify", "--store", str(path)]) == 1
    said = capsys.readouterr().out
    assert "derived tables DIFFER" in said and "record_events: 2 rows missing" in said
    assert f"record_id='{handed_over['bag_id']}', seq={handed_over['seq']}" in said

    seizure = lane.ok("GET", f"/seizures/{handed_over['seizure_id']}", status=200)
    assert [step["action"] for step in seizure["bags"][0]["custody"]] == ["sealed"]  # what the index now tells
    text = report_text(lane, handed_over["seizure_id"])
    assert "hash chain is whole" not in text
    assert "NOT VERIFIED: the lane's records, which this report was built from, differ from its hash chain" in text
    chain = lane.ok("GET", "/chain", status=200)
    assert chain["ok"] is False and "record_events" in chain["reason"]

    config = path.parent / "lane.toml"
    config.write_text(f'[lane]\nid = "{lane.server.config.lane_id}"\n[server]\ndata_dir = "{path.parent}"\n')
    assert main(["verify", "--store", str(path), "--repair"]) == 2  # a copy is only checked
    capsys.readouterr()
    assert main(["verify", "--config", str(config), "--repair"]) == 0  # beside the running lane
    assert "derived tables were REBUILT: they differed" in capsys.readouterr().out
    assert main(["verify", "--store", str(path)]) == 0
    text = report_text(lane, handed_over["seizure_id"])
    assert RECEIVER in text and "hash chain is whole" in text
    rebuilt = lane.server.store.page(types=["store.views_rebuilt"])
    assert len(rebuilt) == 1 and "record_events: 2 rows missing" in rebuilt[0]["payload"]["differences"][0]
