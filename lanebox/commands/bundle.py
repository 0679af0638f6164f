"""``lanebox verify-bundle``: check a case bundle for court, with no lanebox data at all.

The checking is :mod:`common.bundle_verify`, which needs only the standard
library and ``cryptography`` and can be copied out and run alone (its
docstring says which files); this command is the same code under lanebox's
name, for whoever has lanebox installed.
"""

from __future__ import annotations

import argparse
from typing import Any


def cmd_verify_bundle(args: argparse.Namespace) -> int:
    from common.bundle_verify import run

    return run(args)


def add_commands(sub: Any) -> None:
    from common.bundle_verify import add_arguments

    verify = sub.add_parser("verify-bundle", help="check a case bundle for court (needs no lanebox data)",
                            description="Check a case bundle (.zip): every file against the signed manifest, "
                                        "every event's hash, the chain from its start to its head, the hub's "
                                        "countersignatures and time-stamp tokens. Exit 0 with what it proves; "
                                        "exit 1 naming the first failure; exit 2 if the file cannot be read.")
    add_arguments(verify)
    verify.set_defaults(func=cmd_verify_bundle)
