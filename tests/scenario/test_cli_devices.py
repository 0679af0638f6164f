"""`lanebox simulate ... --pty` and `lanebox devices`, run as a user would."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from drivers.registry import DRIVERS
from tests.support.waiting import Recorder, wait_for

LANEBOX = [sys.executable, "-m", "lanebox"]


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_simulate_prints_the_pty_first_and_serves_until_killed(driver, stop_later):
    entry = DRIVERS[driver]
    process = subprocess.Popen([*LANEBOX, "simulate", entry.kind, "--driver", driver, "--pty", "--pace", "0.05",
                                "--seed", "1"], stdout=subprocess.PIPE, text=True)
    try:
        path = process.stdout.readline().strip()
        assert path.startswith("http://127.0.0.1:" if entry.transport == "http" else "/dev/pts/")
        recorder = Recorder()
        reader = entry.driver_class()(path, on_reading=recorder.on_reading, on_status=recorder.on_status)
        stop_later.append(reader)
        reader.start()
        wait_for(recorder.data, timeout=15, message=f"a reading from the {driver} demo script")
        assert reader.state == "connected"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_simulate_refuses_a_driver_of_another_kind():
    result = subprocess.run([*LANEBOX, "simulate", "scale", "--driver", "etd-ascii", "--pty"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "etd-ascii" in result.stderr and result.stdout == ""


def test_devices_lists_ports_as_json():
    result = subprocess.run([*LANEBOX, "devices", "--json"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    ports = json.loads(result.stdout)
    for port in ports:
        assert {"device", "by_id", "open_with", "description", "vid_pid", "serial_number"} <= set(port)
