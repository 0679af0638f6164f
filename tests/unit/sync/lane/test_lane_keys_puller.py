"""The port's lane keys down: a lane pulls the hub's signed lane-keys document by ETag and keeps it
(also across a restart with the hub away); a document whose signature is not its hub's — a key
swapped with the signature kept, one signed by another key, one from a hub that cannot prove
itself — is refused whole, and the lane keeps exactly what it had."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sync.hub.identity import HubIdentity
from sync.identity import key_text, parse_key
from sync.labels import LaneKey
from sync.lane.etag_puller import REJECTED, STORED, UNCHANGED, UNREACHABLE
from sync.lane.lane_keys_puller import LaneKeysPuller
from sync.lane.upstream import make_upstream
from sync.lane_keys import document_etag, make_document
from sync.protocol import identity_path
from tests.support.hub_rig import LANE, InProcessHub

OTHER = "TEST-IN-02"


def a_key(lane: str) -> LaneKey:
    return LaneKey(lane, key_text(Ed25519PrivateKey.generate().public_key()), "2026-03-02T10:00:00.000Z", 7)


def report_keys(hub: InProcessHub, token: str, lane: str, keys: list[LaneKey]) -> None:
    """The lane's status, carrying its label keys, as its reporter sends it."""
    response = requests.post(f"{hub.url}/api/v1/sync/{lane}/status", timeout=10,
                             headers={"Authorization": f"Bearer {token}"},
                             json={"lane": lane, "ts": "2026-03-02T10:00:00.000Z", "devices": [],
                                   "label_keys": [key.as_dict() for key in keys]})
    assert response.status_code == 200, response.text


def held(puller: LaneKeysPuller) -> list[tuple[str, str]]:
    port = puller.port_keys()
    return [] if port is None else [(key.lane, key.key) for key in port.keys]


def test_a_lane_pulls_the_ports_keys_signed_by_its_hub_and_keeps_them_when_the_hub_is_away(
        tmp_path: Path) -> None:
    hub = InProcessHub(tmp_path / "hub")
    ours, theirs = a_key(LANE), a_key(OTHER)
    kept = tmp_path / "lane" / "port-lane-keys.json"
    kept.parent.mkdir()
    try:
        token = hub.store.add_lane(LANE)
        report_keys(hub, token, LANE, [ours])
        other_token = hub.store.add_lane(OTHER)
        report_keys(hub, other_token, OTHER, [theirs])
        upstream = hub.upstream()
        puller = LaneKeysPuller(kept, LANE, upstream, token)
        assert puller.pull() == STORED
        assert held(puller) == [(LANE, ours.key), (OTHER, theirs.key)]
        assert puller.pull() == UNCHANGED  # a 304: the lane names what it holds
        assert puller.port_keys().hub == "TEST-HUB"

        rotated = a_key(OTHER)  # the other lane's new key reaches this lane at the next pull
        report_keys(hub, other_token, OTHER, [theirs, rotated])
        assert puller.pull() == STORED
        assert held(puller)[-1] == (OTHER, rotated.key)
    finally:
        hub.close()
    assert kept.stat().st_mode & 0o777 == 0o600
    restarted = LaneKeysPuller(kept, LANE, upstream, token)  # the lane restarts with the hub away
    assert restarted.pull() == UNREACHABLE
    assert held(restarted) == [(LANE, ours.key), (OTHER, theirs.key), (OTHER, rotated.key)]



class StandInHub:
    """A hub of its own key (which the lane pinned) that proves itself and answers every other request
    with ``envelope`` and its ETag — which a test may change between pulls."""

    def __init__(self, identity: HubIdentity) -> None:
        self.identity = identity
        self.envelope: dict[str, str] = {}

        @Request.application
        def app(request: Request) -> Response:
            if request.path == identity_path(LANE):
                return Response(json.dumps({"key": identity.public_text, "at": "", "signature": identity.prove(
                    LANE, request.get_json()["nonce"], "")}), mimetype="application/json")
            return Response(json.dumps(self.envelope), mimetype="application/json",
                            headers={"ETag": f'"{document_etag(self.envelope["document"])}"'})

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def puller(self, kept: Path, pinned: str) -> LaneKeysPuller:
        return LaneKeysPuller(kept, LANE, make_upstream(LANE, self.url, "", "127.0.0.1", None, parse_key(pinned)),
                              "token")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandInHub]:
    hub = StandInHub(HubIdentity(Ed25519PrivateKey.generate()))
    try:
        yield hub
    finally:
        hub.close()


def swap_a_key(envelope: dict[str, str], key: LaneKey) -> dict[str, str]:
    """The envelope with its first key replaced by ``key`` and its signature kept."""
    document: dict[str, Any] = json.loads(envelope["document"])
    document["keys"][0] = key.as_dict()
    return {"document": json.dumps(document, sort_keys=True, separators=(",", ":")),
            "signature": envelope["signature"]}


def test_a_key_swapped_under_the_hubs_signature_is_refused_and_nothing_changes(
        stand_in: StandInHub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    genuine = [a_key(LANE), a_key(OTHER)]
    stand_in.envelope = make_document("TEST-HUB", genuine, stand_in.identity.sign_lane_keys)
    kept = tmp_path / "port-lane-keys.json"
    puller = stand_in.puller(kept, stand_in.identity.public_text)
    assert puller.pull() == STORED
    before, kept_bytes = held(puller), kept.read_bytes()

    stand_in.envelope = swap_a_key(stand_in.envelope, a_key(OTHER))  # a key the attacker holds
    assert puller.pull() == REJECTED
    assert puller.pull() == REJECTED
    assert held(puller) == before == [(k.lane, k.key) for k in genuine]
    assert kept.read_bytes() == kept_bytes
    assert puller.refused == 2
    refusals = [r.getMessage() for r in caplog.records if "keeping the lane's last good copy" in r.getMessage()]
    assert len(refusals) == 1 and "its signature is not the hub's" in refusals[0]


def test_keys_signed_by_any_key_but_the_pinned_hubs_are_refused(stand_in: StandInHub, tmp_path: Path) -> None:
    """The stand-in proves itself with the pinned key, but signs the document with another one."""
    stand_in.envelope = make_document("TEST-HUB", [a_key(OTHER)],
                                      HubIdentity(Ed25519PrivateKey.generate()).sign_lane_keys)
    kept = tmp_path / "port-lane-keys.json"
    puller = stand_in.puller(kept, stand_in.identity.public_text)
    assert puller.pull() == REJECTED
    assert puller.port_keys() is None and not kept.exists()


def test_keys_from_a_hub_that_cannot_prove_itself_are_not_taken(stand_in: StandInHub, tmp_path: Path) -> None:
    """The lane pinned another hub's key: this one signs its document well, with its own key."""
    stand_in.envelope = make_document("TEST-HUB", [a_key(OTHER)], stand_in.identity.sign_lane_keys)
    kept = tmp_path / "port-lane-keys.json"
    puller = stand_in.puller(kept, key_text(Ed25519PrivateKey.generate().public_key()))
    assert puller.pull() == UNREACHABLE
    assert puller.port_keys() is None and not kept.exists()
