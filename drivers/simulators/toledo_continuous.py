"""An indicator sending Toledo continuous output, for tests and demos.

Every ``tick_interval`` (~7/s) it sends one frame describing the shared
:class:`~drivers.simulators.load.LoadModel`: net when a tare is set, motion
while the load moves, out of range above Max + 9 d or below −20 d. Zero
and tare are front-panel keys here (:meth:`zero`, :meth:`tare`), as on a
real indicator: the protocol carries no commands.
"""

from __future__ import annotations

from drivers.simulators.device import DeviceSimulator
from drivers.simulators.load import FrontPanelKeys, LoadModel
from drivers.toledo_continuous import encode_toledo_frame


class ToledoContinuousSimulator(FrontPanelKeys, DeviceSimulator):
    kind = "scale"
    driver = "toledo-continuous"
    tick_interval = 1 / 7

    def __init__(self, model: LoadModel | None = None, *, checksum: bool = True) -> None:
        super().__init__()
        self.model = model or LoadModel()
        self.checksum = checksum

    def tick(self) -> None:
        self.send(self.frame())

    def frame(self) -> bytes:
        """The frame for the indicator's state now."""
        model = self.model
        status = model.range_status()
        net = model.tare != 0
        weight = model.net() if net else model.gross()  # its sign tells underload from overload
        return encode_toledo_frame(weight, model.tare, unit="kg", increment=model.d, net=net,
                                   motion=not model.stable(), out_of_range=status != "ok",
                                   checksum=self.checksum)
