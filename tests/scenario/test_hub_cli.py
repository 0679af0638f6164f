"""``lanebox hub`` and its config: tokens on the last line, one-line errors,
exit 2 for a bad config, a clean stop on SIGTERM."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.hub_rig import HUB_CLI, HUB_ID, HubProcess
from tests.support.hub_workers import free_port


def hub_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HUB_CLI, *args], capture_output=True, text=True, timeout=30)


def test_add_lane_prints_a_working_token_last_and_keeps_only_its_hash(tmp_path):
    hub = HubProcess(tmp_path)
    token = hub.add_lane("GBDVR-IN-03")
    assert len(token) >= 40
    assert hub.store.check_token("GBDVR-IN-03", token)
    assert not hub.store.check_token("GBDVR-IN-03", token[:-1] + "x")
    again = hub_cli("add-lane", "--config", str(hub.config), "--lane", "GBDVR-IN-03")
    assert again.returncode == 1
    assert again.stderr == "lanebox hub: lane GBDVR-IN-03 is registered already\n"


def test_lanes_registered_at_once_on_a_new_hub_all_get_tokens(tmp_path):
    hub = HubProcess(tmp_path)  # its store does not exist yet: the first command makes it
    lanes = [f"GBDVR-IN-{index:02d}" for index in range(6)]
    with ThreadPoolExecutor(len(lanes)) as pool:
        tokens = dict(zip(lanes, pool.map(hub.add_lane, lanes)))
    assert all(hub.store.check_token(lane, token) for lane, token in tokens.items())


def test_the_hub_serves_until_sigterm_on_the_port_it_is_given(tmp_path):
    hub = HubProcess(tmp_path)
    wanted = free_port()
    assert hub.start(port=wanted) == wanted  # --port beats the config's port 0
    assert requests.get(f"http://127.0.0.1:{wanted}/healthz", timeout=5).json() == {
        "status": "ok", "hub": HUB_ID, "database": "ok"}
    process = hub.process
    hub.stop()
    assert process is not None and process.returncode == 0


def test_a_bad_config_is_one_line_and_exit_2_for_both_commands(tmp_path):
    config = tmp_path / "hub.toml"
    config.write_text('[hub]\nid = "H"\nport = "9090"\ndata_dir = "d"\n')
    for args in (["--config", str(config)], ["add-lane", "--config", str(config), "--lane", "L"]):
        result = hub_cli(*args)
        assert result.returncode == 2
        assert result.stderr == f"lanebox hub: {config}: hub.port: must be an integer, not str '9090'\n"
    assert hub_cli("--config", str(tmp_path / "missing.toml")).returncode == 2


def test_bad_flags_and_lane_ids_exit_2_and_help_works(tmp_path):
    assert hub_cli("--help").returncode == 0
    assert "add-lane" in hub_cli("--help").stdout
    assert hub_cli("add-lane", "--lane", "L").returncode == 2  # no --config
    hub = HubProcess(tmp_path)
    bad = hub_cli("add-lane", "--config", str(hub.config), "--lane", "no spaces")
    assert bad.returncode == 2 and "letters, digits" in bad.stderr




def test_the_severities_in_the_hubs_config_are_the_ones_its_board_uses(tmp_path):
    hub = HubProcess(tmp_path, extra='\n[alarms]\ninspection_warn_min = 45\n\n'
                                     '[alarms.severity]\nweight_discrepancy = "critical"\n')
    hub.start()
    try:
        token = hub.user_token()
        settings = requests.get(f"http://127.0.0.1:{hub.port}/api/v1/hub/alarm-settings",
                                headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    finally:
        hub.stop()
    assert settings["severity"]["weight_discrepancy"] == "critical" and settings["inspection_warn_min"] == 45
    assert settings["severity"]["trace_alarm"] == "critical"  # the others keep their defaults
