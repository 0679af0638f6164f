"""Driver and simulator names (as in docs/protocols.md) to their classes.

Imported lazily by dotted path so that loading one protocol never costs
another's import, and so the CLI can list names without importing all.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from drivers.port_rules import HTTP, SERIAL


@dataclass(frozen=True)
class DriverEntry:
    name: str
    kind: str
    driver: str      # "module:Class" of the SerialDriver
    simulator: str   # "module:Class" of the DeviceSimulator
    transport: str = SERIAL  # how its port is reached: a serial port (or terminal server), or HTTP (port_rules)

    def driver_class(self) -> Any:
        return _load(self.driver)

    def simulator_class(self) -> Any:
        return _load(self.simulator)


DRIVERS: dict[str, DriverEntry] = {e.name: e for e in (
    DriverEntry("mt-sics", "scale", "drivers.mt_sics:MtSicsScale", "drivers.simulators.mt_sics:MtSicsSimulator"),
    DriverEntry("toledo-continuous", "scale", "drivers.toledo_continuous:ToledoContinuousScale",
                "drivers.simulators.toledo_continuous:ToledoContinuousSimulator"),
    DriverEntry("sma", "scale", "drivers.sma:SmaScale", "drivers.simulators.sma:SmaSimulator"),
    DriverEntry("stream", "scale", "drivers.stream:StreamScale", "drivers.simulators.stream:RiceLakeStreamSimulator"),
    DriverEntry("rice-lake-stream", "scale", "drivers.stream:RiceLakeStreamScale",
                "drivers.simulators.stream:RiceLakeStreamSimulator"),
    DriverEntry("cardinal-stream", "scale", "drivers.stream:CardinalStreamScale",
                "drivers.simulators.stream:CardinalStreamSimulator"),
    DriverEntry("modbus", "scale", "drivers.modbus_scale:ModbusScale",
                "drivers.simulators.modbus_scale:ModbusScaleSimulator"),
    DriverEntry("laumas-modbus", "scale", "drivers.modbus_scale:LaumasModbusScale",
                "drivers.simulators.modbus_scale:ModbusScaleSimulator"),
    DriverEntry("aim-barcode", "barcode", "drivers.aim_barcode:AimBarcodeReader",
                "drivers.simulators.aim_barcode:BarcodeSimulator"),
    DriverEntry("mrz-reader", "document", "drivers.mrz_reader:MrzDocumentReader",
                "drivers.simulators.mrz_reader:DocumentReaderSimulator"),
    DriverEntry("regula-web", "document", "drivers.regula_web:RegulaWebReader",
                "drivers.simulators.regula_web:RegulaWebSimulator", transport=HTTP),
    DriverEntry("etd-ascii", "trace", "drivers.etd_ascii:EtdAsciiDetector",
                "drivers.simulators.etd_ascii:EtdSimulator"),
    DriverEntry("rapiscan-lines", "radiation", "drivers.rapiscan_lines:RapiscanLinesMonitor",
                "drivers.simulators.rapiscan_lines:RapiscanSimulator"),
)}

KINDS = ("scale", "barcode", "document", "trace", "radiation")

#: the driver a kind gets when none is named
DEFAULT_DRIVER = {"scale": "mt-sics", "barcode": "aim-barcode", "document": "mrz-reader", "trace": "etd-ascii",
                  "radiation": "rapiscan-lines"}


def lookup(name: str) -> DriverEntry:
    """The entry for a driver name; KeyError names the known ones."""
    try:
        return DRIVERS[name]
    except KeyError:
        raise KeyError(f"unknown driver {name!r} (known: {', '.join(sorted(DRIVERS))})") from None


def _load(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)
