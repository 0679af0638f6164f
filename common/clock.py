"""Time as lanebox writes it: ISO-8601 UTC with milliseconds and a ``Z``.

Every timestamp the lane and the hub store or send (events, readings,
sessions, lane status, alarms) is such a string, e.g.
``2025-01-31T12:00:00.000Z``. Written always the same way, they sort as the
times they name, so the stores compare them as text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]
"""What "now" is for a part that judges time (calibration due dates): tests pass their own."""

Precision = Literal["milliseconds", "seconds"]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def iso_utc(moment: datetime | float, timespec: Precision = "milliseconds") -> str:
    """``moment`` (an aware datetime, or epoch seconds) as ISO-8601 UTC ending in ``Z``."""
    when = datetime.fromtimestamp(moment, UTC) if isinstance(moment, (int, float)) else moment.astimezone(UTC)
    return when.isoformat(timespec=timespec).replace("+00:00", "Z")


def utc_now_iso() -> str:
    """Now, as :func:`iso_utc` writes it."""
    return iso_utc(utc_now())


def parse_iso(text: str) -> datetime:
    """An ISO-8601 timestamp (``Z`` or an offset) as an aware datetime; ``ValueError`` if it is not one.
    A timestamp without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


SHOWN_DIFFERENCE_S = 60
"""A claimed time is shown beside the recorded one when they differ by more."""


def differing_claim(recorded: str, claimed: Any) -> str | None:
    """``claimed`` (when an officer says they acted, e.g. offline) if it differs
    from ``recorded`` (when the box received it) by more than
    ``SHOWN_DIFFERENCE_S``, so a view can show both; else None."""
    if not isinstance(claimed, str):
        return None
    try:
        difference = abs((parse_iso(recorded) - parse_iso(claimed)).total_seconds())
    except ValueError:
        return None
    return claimed if difference > SHOWN_DIFFERENCE_S else None


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Rotterdam``); ``ValueError`` naming it if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Rotterdam, Asia/Singapore, UTC)") from None


def box_zone_name(localtime: Path = Path("/etc/localtime")) -> str:
    """The zone the box's clock is set to, read from where ``/etc/localtime`` points
    (``/usr/share/zoneinfo/Europe/Rotterdam``); UTC when it names none. Printed records
    show local time, and an officer reads the lane's own clock, not UTC."""
    try:
        target = str(localtime.resolve(strict=True))
    except OSError:
        return "UTC"
    name = target.partition("/zoneinfo/")[2]
    try:
        zone(name)
    except ValueError:
        return "UTC"
    return name
