"""Read models kept beside an event log, inside its transactions.

The log is the truth; a read model (a table of open inspections, say) only
exists so screens can ask without replaying the log. Whoever opens a store
says which read models it keeps (:class:`Views`): the tables' creation, and
one :class:`Projection` per event-type prefix, called inside the transaction
that appends each matching event. ``EventStore.rebuild_views`` can empty the
tables and replay the log into them, so a projection must depend on nothing
but the event and the rows it wrote before.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Callable

from sqlite_utils import Database

ProjectionFn = Callable[[sqlite3.Connection, dict[str, Any]], None]


@dataclass(frozen=True)
class Projection:
    """``fn`` sees every event whose type starts with ``prefix``; ``tables``
    are the tables it owns, emptied by a rebuild. ``fn`` raises ``ValueError``
    to refuse an event it cannot place (the append then fails as invalid)."""

    prefix: str
    fn: ProjectionFn
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Views:
    """The read models of a store: ``create`` makes their tables (idempotent),
    ``projections`` fill them."""

    create: Callable[[Database], None]
    projections: tuple[Projection, ...]


NO_VIEWS = Views(create=lambda db: None, projections=())
"""A bare event log."""
