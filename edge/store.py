"""The lane's evidence store: the shared event log with the lane's read models.

Every part of the lane (the server, the CLI, the demo) opens the store
through :func:`open_lane_store`, so an event appended by any of them fills
the same read models, and whichever opens an older store first upgrades it
(:mod:`edge.migrations`).
"""

from __future__ import annotations

from pathlib import Path

from common.eventlog.store import EventStore
from edge.migrations import LANE_MIGRATIONS
from edge.projections import LANE_VIEWS

STORE_FILE = "lane.sqlite3"
PHOTOS = "photos"


def lane_store_path(data_dir: Path) -> Path:
    """Where a lane keeps its store in its ``data_dir``."""
    return data_dir / STORE_FILE


def lane_photos_path(data_dir: Path) -> Path:
    """Where a lane keeps its evidence photos in its ``data_dir`` (beside the store that cites them)."""
    return data_dir / PHOTOS


def open_lane_store(path: Path, lane: str, *, create: bool = True) -> EventStore:
    """The lane's store at ``path`` (not started: ``start()`` it, or use it as a context manager)."""
    return EventStore(path, lane, create=create, views=LANE_VIEWS, migrations=LANE_MIGRATIONS)
