"""The hub's sign-in throttle is one count for every worker, kept in its database."""

from __future__ import annotations

import pytest

from common.accounts.sessions import AuthFailed, Throttled
from sync.hub.store import HubStore
from sync.hub.users import HubUsers
from tests.support.hub_rig import HUB_ID, InProcessHub
from tests.support.passwords import CHEAP


def worker(hub: InProcessHub, clock: list[float]) -> HubUsers:
    """Another hub worker: its own store connection and users, on the same database."""
    store = HubStore(hub.database or hub.root / "hub.sqlite3", HUB_ID).start()
    return HubUsers(store, clock=lambda: clock[0], hasher=CHEAP)


def test_failures_at_one_worker_slow_the_next_worker_too(hub: InProcessHub) -> None:
    clock = [1_780_000_000.0]
    first, second = worker(hub, clock), worker(hub, clock)
    first.add("carol", "supervisor", "carol teal kite signal")
    for _ in range(3):
        with pytest.raises(AuthFailed):
            first.authenticate("carol", "not her password", "10.0.0.66")
    with pytest.raises(Throttled) as throttled:  # the next worker knows, and checks nothing
        second.authenticate("carol", "carol teal kite signal", "10.0.0.66")
    assert throttled.value.retry_after == 1.0
    assert second.authenticate("carol", "carol teal kite signal", "10.0.0.7").username == "carol"
    clock[0] += 1.0
    assert first.authenticate("carol", "carol teal kite signal", "10.0.0.66").username == "carol"


def test_idle_counts_are_forgotten(hub: InProcessHub) -> None:
    clock = [1_780_000_000.0]
    users = worker(hub, clock)
    users.add("carol", "supervisor", "carol teal kite signal")
    for _ in range(3):
        with pytest.raises(AuthFailed):
            users.authenticate("carol", "not her password", "10.0.0.66")
    with pytest.raises(Throttled):
        users.authenticate("carol", "not her password", "10.0.0.66")
    clock[0] += 901.0
    with pytest.raises(AuthFailed):  # one new failure after a quiet spell is free again
        users.authenticate("carol", "not her password", "10.0.0.66")
    assert users.authenticate("carol", "carol teal kite signal", "10.0.0.66").username == "carol"
