"""``python -m lanebox``: the same as the ``lanebox`` command."""

import sys

from lanebox.cli import main

sys.exit(main())
