"""Where lanebox's log lines go, and in what form."""

from __future__ import annotations

import logging


def setup_logging(level: int = logging.INFO) -> None:
    """Log lines as ``time level logger: message``; the web server's request lines only when they matter."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
