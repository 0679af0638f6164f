"""The subcommands of ``lanebox``, one module per area; each adds its parsers
with ``add_commands(subparsers)`` and sets ``func`` on them."""
