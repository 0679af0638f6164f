"""`lanebox users` and `lanebox verify` on a real store."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from tests.support.lane_process import run_cli


def make_config(tmp_path):
    path = tmp_path / "lane.toml"
    path.write_text('[lane]\nid = "CLI-1"\n[server]\ndata_dir = "data"\n')
    return str(path)


def test_users_add_list_disable(tmp_path):
    config = make_config(tmp_path)
    run_cli("users", "add", "--config", config, "--username", "ann", "--role", "officer", "--password-stdin",
            stdin="correct horse battery\n")
    listed = run_cli("users", "list", "--config", config).stdout
    assert "ann" in listed and "officer" in listed and "correct horse battery" not in listed
    again = run_cli("users", "add", "--config", config, "--username", "ann", "--role", "viewer",
                    "--password-stdin", stdin="another kettle drum\n", check=False)
    assert again.returncode != 0 and "exists" in again.stderr
    short = run_cli("users", "add", "--config", config, "--username", "bob", "--role", "viewer",
                    "--password-stdin", stdin="short\n", check=False)
    assert short.returncode != 0 and short.stderr.strip()
    common = run_cli("users", "add", "--config", config, "--username", "bob", "--role", "supervisor",
                     "--password-stdin", stdin="password12345678\n", check=False)  # long enough, and breached
    assert common.returncode != 0 and "too easy to guess" in common.stderr
    assert "bob" not in run_cli("users", "list", "--config", config).stdout
    run_cli("users", "disable", "--config", config, "--username", "ann")
    assert "disabled" in run_cli("users", "list", "--config", config).stdout
    database = sqlite3.connect(tmp_path / "data" / "lane.sqlite3")
    hashes = [row[0] for row in database.execute("select password_hash from users")]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_verify_finds_the_first_broken_link(tmp_path):
    config = make_config(tmp_path)
    for name in ("u1", "u2", "u3"):
        run_cli("users", "add", "--config", config, "--username", name, "--role", "viewer", "--password-stdin",
                stdin="long enough kettle drum\n")
    ok = run_cli("verify", "--config", config)
    assert ok.returncode == 0 and "chain ok" in ok.stdout

    database = sqlite3.connect(tmp_path / "data" / "lane.sqlite3")
    triggers = [row[0] for row in database.execute("select name from sqlite_master where type='trigger'")]
    for trigger in triggers:  # a tamperer with file access can drop them; the chain still tells
        database.execute(f"drop trigger {trigger}")
    database.execute("""update events set payload = replace(payload, '"u2"', '"mallory"') where seq = 2""")
    database.commit()
    database.close()
    broken = run_cli("verify", "--config", config, check=False)
    assert broken.returncode == 1 and "seq 2" in broken.stdout


def test_users_added_at_once_on_a_new_lane_all_arrive(tmp_path):
    config = make_config(tmp_path)  # no store yet: the first command to get there makes it
    names = [f"officer{index}" for index in range(6)]
    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lambda name: run_cli(
            "users", "add", "--config", config, "--username", name, "--role", "officer",
            "--password-stdin", stdin="correct horse battery\n", check=False), names))
    assert [r.returncode for r in results] == [0] * len(names), [r.stderr for r in results]
    listed = run_cli("users", "list", "--config", config).stdout
    assert all(name in listed for name in names)
