"""Which lanebox this is: the installed distribution's version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    """The version of the installed ``lanebox`` distribution ("0+unknown" when run from a bare checkout)."""
    try:
        return version("lanebox")
    except PackageNotFoundError:
        return "0+unknown"
