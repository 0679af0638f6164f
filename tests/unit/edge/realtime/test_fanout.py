"""The device manager's live messages reach every listener, in order, whatever one of them does."""

from __future__ import annotations

from typing import Any

import pytest

from edge.realtime.fanout import Fanout, readings_only

READING = {"device_id": "scale-1", "kind": "scale", "seq": 1, "ts": "2026-11-29T12:00:00.000Z", "data": {}}
STATUS = {"device_id": "scale-1", "kind": "scale", "state": "connected", "detail": ""}


def test_every_listener_hears_every_message_in_subscription_order() -> None:
    heard: list[tuple[str, str, Any]] = []
    fanout = Fanout()
    fanout.subscribe(lambda e, d: heard.append(("first", e, d)), lambda e, d: heard.append(("second", e, d)))
    fanout.subscribe(lambda e, d: heard.append(("third", e, d)))
    fanout.publish("reading", READING)
    assert [(who, event) for who, event, _ in heard] == [("first", "reading"), ("second", "reading"),
                                                         ("third", "reading")]
    assert all(data is READING for _, _, data in heard)


def test_readings_only_passes_readings_and_ignores_states() -> None:
    taken: list[dict[str, Any]] = []
    fanout = Fanout()
    fanout.subscribe(readings_only(taken.append))
    fanout.publish("device_status", STATUS)
    fanout.publish("reading", READING)
    assert taken == [READING]


def test_a_failing_listener_does_not_starve_the_others(caplog: pytest.LogCaptureFixture) -> None:
    heard: list[str] = []

    def broken(event: str, data: dict[str, Any]) -> None:
        raise RuntimeError("a listener's bug")

    fanout = Fanout()
    fanout.subscribe(broken, lambda e, d: heard.append(e))
    fanout.publish("reading", READING)  # must not raise into the device's reader thread
    assert heard == ["reading"]
    assert "a listener's bug" in caplog.text
