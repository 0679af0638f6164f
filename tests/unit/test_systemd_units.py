"""The systemd units in deploy/systemd: each service starts a real lanebox
command line, the hub template on the ports nginx sends to, and
``systemd-analyze verify`` finds nothing to say about any of them.

The ExecStart lines name the installed command (/opt/lanebox/bin/lanebox,
docs/operations.md); here they run through this checkout's venv instead.
"""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lanebox.cli import build_parser
from tests.support.services import require_systemd_analyze

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
NGINX_CONF = ROOT / "deploy" / "nginx" / "lanebox-hub.conf"
INSTALLED = "/opt/lanebox/bin/lanebox"
VENV_LANEBOX = Path(sys.executable).with_name("lanebox")
SERVICES = sorted(UNITS.glob("*.service"))


def exec_start(unit: Path) -> list[str]:
    """The unit's ExecStart command line, split as systemd splits it."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(unit)
    return shlex.split(parser["Service"]["ExecStart"])


def nginx_ports() -> list[str]:
    """The worker ports of deploy/nginx/lanebox-hub.conf's upstreams."""
    return sorted(set(re.findall(r"^\s*server 127\.0\.0\.1:(\d+)", NGINX_CONF.read_text(), re.M)))


def command_lines() -> list[tuple[str, list[str]]]:
    """(unit, arguments after the executable) of every service; a template once per nginx port."""
    lines = []
    for unit in SERVICES:
        argv = exec_start(unit)
        assert argv[0] == INSTALLED, f"{unit.name} runs {argv[0]}, not {INSTALLED}"
        instances = nginx_ports() if unit.name.endswith("@.service") else [""]
        lines += [(unit.name.replace("@", f"@{port}"), [a.replace("%i", port) for a in argv[1:]])
                  for port in instances]
    return lines


def test_the_units_are_the_lane_the_hub_workers_and_the_backup() -> None:
    assert [unit.name for unit in SERVICES] == ["lanebox-backup.service", "lanebox-hub@.service",
                                               "lanebox-lane.service"]
    assert nginx_ports() == ["9091", "9092"]
    assert "--port" in exec_start(UNITS / "lanebox-hub@.service") and "%i" in exec_start(
        UNITS / "lanebox-hub@.service")


@pytest.mark.parametrize(("unit", "args"), command_lines(), ids=[name for name, _ in command_lines()])
def test_each_service_runs_a_real_lanebox_command_line(unit: str, args: list[str]) -> None:
    parsed = build_parser().parse_args(args)  # every option exists and its value parses
    helped = subprocess.run([str(VENV_LANEBOX), *args, "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith(f"usage: lanebox {parsed.command} ")


def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    analyze = require_systemd_analyze()
    # verify insists that the executable exists: the copies run this venv's lanebox
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(VENV_LANEBOX)))
    names = [name for name, _ in command_lines()] + [
        unit.name for unit in UNITS.iterdir() if unit.suffix in (".timer", ".target")]
    result = subprocess.run([analyze, "verify", *names], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
