"""A lane authenticates its hub before it sends its token or takes a roster.

The attack: a stranger on the lane network announces a hub over mDNS (here on
loopback). Before, the lane adopted it within a second, sent it its sync
token and its log, and merged its roster (a supervisor added, the lane's own
account re-passworded). Now the stranger only ever gets a nonce it cannot
sign with the pinned hub key, and the lane takes nothing from it; a roster
whose signature is not the hub's, or that was made for another lane, is
refused whole, counted, and changes nothing.
"""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from common.discovery import Announcer, make_zeroconf
from common.eventlog.store import EventStore
from edge.users import UserDirectory
from sync.hub.identity import HubIdentity, arrived_at
from sync.identity import SIGNATURE_HEADER, parse_key
from sync.lane.agent import SyncAgent
from sync.lane.etag_puller import REJECTED, STORED
from sync.lane.link import RefusedCollector
from sync.lane.roster_puller import RosterPuller
from sync.lane.upstream import DiscoveredUpstream
from sync.protocol import identity_path, roster_path
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.passwords import CHEAP
from tests.support.waiting import wait_for

LANE_OWN = "lane-own-pass-tulip-41"


def off_thread(fn, *args):
    """Zeroconf's blocking API refuses a thread with an asyncio loop: use a plain one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


class FakeHub:
    """A stranger's server that acts as a hub: it signs identity challenges with
    its own key, takes any token, acks everything and serves a roster that
    adds a supervisor and re-passwords the lane's own account. It records
    every request it gets."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._identity = HubIdentity(Ed25519PrivateKey.generate())
        users = [{"username": name, "role": "supervisor", "password_hash": CHEAP.hash("mallory-was-here-77"),
                  "disabled": False, "updated_at": "2026-01-01T00:00:00.000Z"} for name in ("mallory", "lana")]
        self._roster = json.dumps({"hub": "ROGUE", "lane": LANE, "users": users}).encode()
        self._http = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()

    @Request.application
    def _app(self, request: Request) -> Response:
        with self._lock:
            self.requests.append({"path": request.path, "authorization": request.headers.get("Authorization")})
        if request.path == identity_path(LANE):
            nonce, at = (request.get_json(silent=True) or {}).get("nonce", ""), arrived_at(request.environ)
            body = {"hub": "ROGUE", "key": self._identity.public_text, "at": at,
                    "signature": self._identity.prove(LANE, nonce, at)}
        elif request.path == roster_path(LANE):
            return Response(self._roster, mimetype="application/json",
                            headers={"ETag": '"rogue"', SIGNATURE_HEADER: self._identity.sign_roster(self._roster)})
        else:
            body = {"ack": 0, "stored": 1, "duplicates": 0}
        return Response(json.dumps(body), mimetype="application/json")

    def received(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r["path"] == path)

    def seen(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture
def zeroconf() -> Iterator[Any]:
    made = off_thread(make_zeroconf, ["127.0.0.1"])
    yield made
    off_thread(made.close)


def announce(zeroconf: Any, port: int, name: str) -> Announcer:
    return off_thread(lambda: Announcer(zeroconf, "hub", port, ["127.0.0.1"],
                                        instance=f"{name} {uuid.uuid4().hex[:6]}").start())


def test_a_hub_announced_by_a_stranger_never_gets_the_token_and_changes_nothing(
        tmp_path, lane_store: EventStore, zeroconf: Any) -> None:
    ours, rogue = InProcessHub(tmp_path / "hub"), FakeHub()
    token = ours.store.add_lane(LANE)
    ours.hub.users.add("olga", "officer", "officer-pass-birch-53")
    users = UserDirectory(lane_store, hasher=CHEAP)
    users.add("lana", "officer", LANE_OWN, actor="cli")
    before = lane_store.last_seq()
    upstream = DiscoveredUpstream(LANE, token, "127.0.0.1", parse_key(ours.hub_key), recheck_s=0.3)
    agent = SyncAgent(lane_store, LANE, upstream, token, poll_interval=0.3)
    roster = RosterPuller(users.merge_roster, LANE, upstream, token, interval=0.3)
    parts = [upstream, agent, roster]
    announcers = [announce(zeroconf, int(rogue.url.rsplit(":", 1)[1]), "rogue hub")]
    try:
        for part in parts:
            part.start()
        wait_for(lambda: rogue.received(identity_path(LANE)) >= 3, timeout=20,
                 message="the lane challenging the stranger three times over")
        assert upstream.url() is None and agent.status()["state"] == "discovering"
        assert [r for r in rogue.seen() if r["path"] != identity_path(LANE) or r["authorization"]] == []
        assert lane_store.last_seq() == before  # no account added or changed
        assert users.authenticate("lana", LANE_OWN, "tablet").role == "officer"

        announcers.append(announce(zeroconf, ours.port, "our hub"))  # the real hub comes up
        wait_for(lambda: upstream.url() == ours.url, timeout=20, message="the lane taking its own hub")
        wait_for(lambda: ours.store.cursor(LANE) == lane_store.last_seq(), timeout=20,
                 message="the lane's log at its hub")
        wait_for(lambda: "olga" in users.enabled_usernames(), timeout=20, message="the hub's roster merged")
    finally:
        for part in reversed(parts):
            part.stop()
        for announcer in announcers:
            off_thread(announcer.close)
        rogue.close()
        ours.close()
    assert [r for r in rogue.seen() if r["path"] != identity_path(LANE) or r["authorization"]] == []
    assert {u["username"]: u["role"] for u in users.list()} == {"lana": "officer", "olga": "officer"}
    assert users.authenticate("lana", LANE_OWN, "tablet").role == "officer"


class RelayingRogue(FakeHub):
    """A stranger who passes the lane's challenge on to the real hub and hands
    back the real hub's signed answer, hoping to be taken for it."""

    def __init__(self, hub_url: str) -> None:
        self.hub_url = hub_url
        super().__init__()

    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path != identity_path(LANE):
            return FakeHub._app.__wrapped__(self, request)  # records it, acts as a hub
        with self._lock:
            self.requests.append({"path": request.path, "authorization": request.headers.get("Authorization")})
        answer = requests.post(self.hub_url + request.path, json=request.get_json(), timeout=10)
        return Response(answer.content, status=answer.status_code, mimetype="application/json")


def test_a_stranger_relaying_the_challenge_to_the_real_hub_is_not_taken_for_it(
        tmp_path, lane_store: EventStore, zeroconf: Any) -> None:
    ours = InProcessHub(tmp_path / "hub")
    rogue = RelayingRogue(ours.url)
    token = ours.store.add_lane(LANE)
    upstream = DiscoveredUpstream(LANE, token, "127.0.0.1", parse_key(ours.hub_key), recheck_s=0.3)
    announcer = announce(zeroconf, int(rogue.url.rsplit(":", 1)[1]), "relaying hub")
    try:
        upstream.start()
        wait_for(lambda: rogue.received(identity_path(LANE)) >= 3, timeout=20,
                 message="the lane challenging the stranger three times over")
        assert upstream.url() is None
    finally:
        upstream.stop()
        off_thread(announcer.close)
        rogue.close()
        ours.close()
    assert [r for r in rogue.seen() if r["path"] != identity_path(LANE) or r["authorization"]] == []


class RosterTamperer:
    """Between the lane and its hub (a man in the middle on plain HTTP): passes
    everything on, but serves ``roster`` (body, headers) instead of the hub's."""

    def __init__(self, hub_url: str, roster: tuple[bytes, dict[str, str]]) -> None:
        self.hub_url, self.roster = hub_url, roster
        self._http = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()

    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path == roster_path(LANE):
            return Response(self.roster[0], mimetype="application/json", headers=self.roster[1])
        answer = requests.request(request.method, self.hub_url + request.full_path.rstrip("?"),
                                  data=request.get_data(), headers={k: v for k, v in request.headers
                                                                    if k.lower() != "host"}, timeout=10)
        return Response(answer.content, status=answer.status_code, mimetype="application/json")

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def hub_roster(hub: InProcessHub, lane: str, token: str) -> tuple[bytes, dict[str, str]]:
    """The roster the hub serves ``lane``: its body and its signature header."""
    response = requests.get(hub.url + roster_path(lane), headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.content, {SIGNATURE_HEADER: response.headers[SIGNATURE_HEADER], "ETag": '"x"'}


def tampered(roster: tuple[bytes, dict[str, str]]) -> tuple[bytes, dict[str, str]]:
    document = json.loads(roster[0])
    document["users"][0]["role"] = "supervisor"
    return json.dumps(document, sort_keys=True).encode(), roster[1]


@pytest.mark.parametrize("forge", [
    pytest.param(lambda hub, token, other: tampered(hub_roster(hub, LANE, token)), id="a role changed in transit"),
    pytest.param(lambda hub, token, other: (hub_roster(hub, LANE, token)[0], {}), id="the signature stripped"),
    pytest.param(lambda hub, token, other: hub_roster(hub, "OTHER-IN-02", other), id="another lane's roster"),
])
def test_a_roster_the_hub_did_not_sign_for_this_lane_is_refused_whole_and_counted(
        tmp_path, lane_store: EventStore, forge, caplog) -> None:
    hub = InProcessHub(tmp_path / "hub")
    token, other = hub.store.add_lane(LANE), hub.store.add_lane("OTHER-IN-02")
    hub.hub.users.add("olga", "officer", "officer-pass-birch-53")
    users = UserDirectory(lane_store, hasher=CHEAP)
    proxy = RosterTamperer(hub.url, forge(hub, token, other))
    puller = RosterPuller(users.merge_roster, LANE, hub.upstream(proxy.url), token)
    try:
        assert puller.pull() == REJECTED
        [family] = RefusedCollector([puller]).collect()
        assert [(s.labels, s.value) for s in family.samples if s.name.endswith("_total")] == [
            ({"document": "user roster"}, 1)]
        assert users.list() == [] and lane_store.last_seq() == 0  # nothing merged, nothing written
        refusal = [r.getMessage() for r in caplog.records if "keeping the lane's last good copy" in r.getMessage()]
        assert len(refusal) == 1 and ("signature is not the hub's" in refusal[0] or "not for this lane" in refusal[0])
        assert RosterPuller(users.merge_roster, LANE, hub.upstream(), token).pull() == STORED  # the real one
        assert {u["username"]: u["role"] for u in users.list()} == {"olga": "officer"}
    finally:
        proxy.close()
        hub.close()
