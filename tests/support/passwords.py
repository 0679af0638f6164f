"""argon2id at the least cost it allows, for lanes, hubs and user directories made in the test process.

The production profile (argon2-cffi's defaults: 64 MiB and four lanes per hash) takes a third of a
second on a busy two-core machine, and the suite made some two thousand hashes in its own processes:
about a fifth of its time. The ``lanebox serve`` and ``lanebox hub`` processes of the scenario and
browser tests, the wheel's box and the demo keep the real profile; what a test in the test process
checks (who may sign in, what is stored, when a hash is renewed) does not depend on the cost.
"""

from __future__ import annotations

from argon2 import PasswordHasher

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def cheap_hasher() -> PasswordHasher:
    """Stands in for ``PasswordHasher()`` where lanebox makes its default one (tests/conftest.py)."""
    return CHEAP
