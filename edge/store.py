"""The lane's evidence store: the shared event log with the lane's read models.

Every part of the lane (the server, the CLI, the demo) opens the store
through :func:`open_lane_store`, so an event appended by any of them fills
the same read models, and whichever opens an older store first upgrades it
(:mod:`edge.migrations`).

The store, its companions and the lane's data folder (photos included) are
owner-only (:mod:`common.owner_only`): they hold passport lines and the
users' password and session hashes.
"""

from __future__ import annotations

from pathlib import Path

from common.eventlog.store import EventStore
from common.owner_only import owner_only_folder, owner_only_store
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


class LaneStore(EventStore):
    """The event store with the lane's views, whose files and folders only their owner reads."""

    def __init__(self, path: Path, lane: str, *, create: bool) -> None:
        super().__init__(path, lane, create=create, views=LANE_VIEWS, migrations=LANE_MIGRATIONS)
        self._may_create = create

    def start(self) -> "LaneStore":
        data_dir = self.path.parent  # a mistyped folder is not made by a command that only reads:
        owner_only_folder(data_dir, create=self._may_create)
        owner_only_folder(lane_photos_path(data_dir), create=self._may_create)
        super().start()
        owner_only_store(self.path)
        return self


def open_lane_store(path: Path, lane: str, *, create: bool = True) -> EventStore:
    """The lane's store at ``path`` (not started: ``start()`` it, or use it as a context manager)."""
    return LaneStore(path, lane, create=create)
