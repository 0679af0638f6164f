"""What every ``lanebox`` subcommand shares: one-line failures, whole-line
output, loading a config, waiting for Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn, TypeVar

from common.config import ConfigError

if TYPE_CHECKING:
    from common.reference import ReferenceData

EXIT_USAGE = 2
T = TypeVar("T")


class CommandError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not a usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM — how long-running commands end cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(3600):
        pass


def say_line(text: str) -> None:
    """Print one whole line in one write: log lines from other threads share
    the terminal (or a supervisor's pipe), and must never split it — scripts
    read the URL off the "serving on" line."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def config_or_exit(load: Callable[[Path], T], path: Path) -> T:
    """``load(path)``, a bad config becoming one line and exit 2."""
    try:
        return load(path)
    except ConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def reference_file_or_exit(path: Path) -> "ReferenceData":
    """A reference-data file checked whole (the lane's and the hub's rules are
    one), a bad one becoming one line and exit 2."""
    from common.reference import ReferenceProblem, load_reference_file

    try:
        return load_reference_file(path)
    except ReferenceProblem as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
