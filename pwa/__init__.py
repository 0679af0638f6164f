"""The browser side: the officer app and the control-room board, shipped as this package's data.

No Python runs here; the package exists so that the lane and the hub find the
files with importlib.resources wherever lanebox is installed.
"""
