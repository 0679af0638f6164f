"""``lanebox``, the command: the one program on top of the lane and the hub.

It is the only package that may import both the lane (``edge``, with
``sync.lane``) and the hub (``sync.hub``); each subcommand lives in
:mod:`lanebox.commands` and is a thin shell around the module that does
the work.
"""
