"""Looking into a lane's store file from a test, read-only, as an auditor would."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def stored_references(tmp_path: Path) -> list[str]:
    database = sqlite3.connect(tmp_path / "data" / "lane.sqlite3")
    try:
        return [row[0] for row in database.execute(
            "select json_extract(payload, '$.version') from events where type = 'reference.loaded'")]
    finally:
        database.close()
