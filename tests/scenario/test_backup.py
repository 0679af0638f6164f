"""`lanebox backup`, `restore`, `verify --store` and `hub backup` as real
processes: a backup taken while another process writes is a whole prefix of
the log; a restore waits for the lane to stop, refuses to lose events, and
brings the photos back; the hub's SQLite store is copied, its PostgreSQL
store pointed at pg_dump with no password on any command line."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from edge.store import open_lane_store
from sync.hub.store import HubStore, prepare_batch
from tests.support.hub_rig import HUB_ID, fill
from tests.support.lane_process import LaneRig, run_cli
from tests.support.services import new_postgres_database
from tests.support.waiting import wait_for

LANE = "TEST-IN-01"

WRITER = """
import sys
from pathlib import Path
from edge.store import open_lane_store
with open_lane_store(Path(sys.argv[1]), sys.argv[2]) as store:
    print("writing", flush=True)
    n = 0
    while not Path(sys.argv[3]).exists():
        store.append("note.added", {"n": n}, "writer")
        n += 1
"""


def _lane_config(root: Path) -> Path:
    config = root / "lane.toml"
    config.write_text(f'[lane]\nid = "{LANE}"\n[server]\ndata_dir = "data"\n')
    return config


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT seq, id, hash FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def _count(path: Path) -> int:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_taken_while_another_process_writes_is_a_whole_prefix(tmp_path: Path) -> None:
    config, store = _lane_config(tmp_path), tmp_path / "data" / "lane.sqlite3"
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store), LANE, str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        wait_for(lambda: _count(store) >= 300, timeout=30, message="300 events written")
        backed = run_cli("backup", "--config", str(config), str(tmp_path / "backup"))
        copied = _count(tmp_path / "backup" / "lane.sqlite3")
        wait_for(lambda: _count(store) > copied + 100, timeout=30, message="the writer to go on")
    finally:
        stop.touch()
        assert writer.wait(30) == 0
    assert f"{copied} events, chain ok" in backed.stdout
    verified = run_cli("verify", "--store", str(tmp_path / "backup" / "lane.sqlite3"))
    assert f"chain ok: {copied} events verified" in verified.stdout
    live = _rows(store)
    assert copied >= 300 and len(live) > copied
    assert _rows(tmp_path / "backup" / "lane.sqlite3") == live[:copied]


def test_verify_store_names_the_broken_link_of_a_copy(tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    with open_lane_store(copy, LANE) as store:
        for n in range(4):
            store.append("note.added", {"n": n}, "ana")
    conn = sqlite3.connect(copy)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 3")
    conn.commit()
    conn.close()
    broken = run_cli("verify", "--store", str(copy), check=False)
    assert broken.returncode == 1 and "chain BROKEN at seq 3" in broken.stdout
    missing = run_cli("verify", "--store", str(tmp_path / "absent.sqlite3"), check=False)
    assert missing.returncode == 1 and "no event store here" in missing.stderr


def test_restore_waits_for_the_lane_to_stop_and_never_loses_events_silently(tmp_path: Path) -> None:
    rig = LaneRig(root=tmp_path, lane_id=LANE)
    rig.write_config()
    config, data, backup = str(rig.config_path), tmp_path / "data", tmp_path / "backup"
    photo = b"\x89PNG\r\n\x1a\n a seal, photographed"
    photo_name = hashlib.sha256(photo).hexdigest()
    (data / "photos").mkdir(parents=True)
    (data / "photos" / photo_name).write_bytes(photo)
    with open_lane_store(data / "lane.sqlite3", LANE) as store:
        store.append("inspection.finding", {"inspection_id": "i-1", "photo": photo_name}, "olga")
    rig.start()
    try:
        run_cli("backup", "--config", config, str(backup))
        held = _rows(data / "lane.sqlite3")
        refused = run_cli("restore", "--config", config, str(backup), check=False)
        assert refused.returncode == 1
        assert "open in a running lanebox" in refused.stderr and "stop it first" in refused.stderr
        assert _rows(data / "lane.sqlite3") == held
    finally:
        rig.stop()

    with open_lane_store(data / "lane.sqlite3", LANE) as store:  # the lane wrote on after the backup
        store.append("inspection.finding", {"inspection_id": "i-2"}, "olga")
    newest = _rows(data / "lane.sqlite3")
    (data / "photos" / photo_name).unlink()
    refused = run_cli("restore", "--config", config, str(backup), check=False)
    assert refused.returncode == 1 and "holds 1 events the copy lacks" in refused.stderr
    assert "--force" in refused.stderr
    assert _rows(data / "lane.sqlite3") == newest and not (data / "photos" / photo_name).exists()

    forced = run_cli("restore", "--config", config, str(backup), "--force")
    assert "1 photos copied" in forced.stdout
    kept = Path(forced.stdout.split("kept as ")[1].split(";")[0])
    assert "it held 1 events the copy lacks (from seq" in forced.stdout
    assert _rows(kept) == newest and _rows(data / "lane.sqlite3") == held
    assert (data / "photos" / photo_name).read_bytes() == photo
    assert "chain ok" in run_cli("verify", "--config", config).stdout


def _hub_with_events(root: Path) -> Path:
    """A hub's SQLite store holding two lanes' events; returns its config."""
    (root / "hub-data").mkdir(parents=True)
    config = root / "hub.toml"
    config.write_text(f'[hub]\nid = "{HUB_ID}"\ndata_dir = "hub-data"\n')
    with HubStore(root / "hub-data" / "hub.sqlite3", HUB_ID) as hub:
        for lane, count in ((LANE, 30), ("TEST-IN-02", 20)):
            hub.add_lane(lane)
            with open_lane_store(root / f"{lane}.sqlite3", lane) as store:
                fill(store, count)
                assert hub.ingest(lane, prepare_batch(lane, store.page(limit=100))).problem is None
    return config


def test_hub_backup_copies_a_sqlite_store_with_every_chain_checked(tmp_path: Path) -> None:
    config = _hub_with_events(tmp_path)
    done = run_cli("hub", "backup", "--config", str(config), str(tmp_path / "backup"))
    assert "50 events of 2 lanes, every chain whole" in done.stdout
    conn = sqlite3.connect(tmp_path / "backup" / "hub.sqlite3")
    assert conn.execute("SELECT lane, count(*) FROM events GROUP BY lane ORDER BY lane").fetchall() == [
        (LANE, 30), ("TEST-IN-02", 20)]
    conn.close()
    missing = run_cli("hub", "backup", "--config", str(tmp_path / "absent.toml"), str(tmp_path / "b2"),
                      check=False)
    assert missing.returncode == 2 and not (tmp_path / "b2").exists()


def test_hub_backup_on_postgresql_prints_pg_dump_without_the_password(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'[hub]\nid = "{HUB_ID}"\ndata_dir = "hub-data"\ndatabase = '
                      f'"postgresql://lanebox:s3cret@db.port:5433/lanebox_hub?sslmode=require&password=also"\n')
    pointed = run_cli("hub", "backup", "--config", str(config), str(tmp_path / "backup"), check=False)
    assert pointed.returncode == 1  # nothing was copied: a timer must not take it for a backup
    assert "s3cret" not in pointed.stdout + pointed.stderr and "also" not in pointed.stdout
    command = next(line for line in pointed.stdout.splitlines() if line.startswith("pg_dump "))
    assert shlex.split(command) == [
        "pg_dump", "--format=custom", f"--file={(tmp_path / 'backup' / 'hub.pgdump').resolve()}",
        "--dbname=postgresql://lanebox@db.port:5433/lanebox_hub?sslmode=require"]
    assert "~/.pgpass" in pointed.stdout
    assert not (tmp_path / "backup").exists()


@pytest.mark.postgres
def test_the_printed_pg_dump_line_copies_the_hub_database(tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore not installed (Debian's postgresql-client)")
    for url in new_postgres_database():
        with HubStore(url, HUB_ID) as hub:
            hub.add_lane(LANE)
            with open_lane_store(tmp_path / "lane.sqlite3", LANE) as store:
                fill(store, 25)
                sent = store.page(limit=100)
            assert hub.ingest(LANE, prepare_batch(LANE, sent)).problem is None
        config = tmp_path / "hub.toml"
        config.write_text(f'[hub]\nid = "{HUB_ID}"\ndata_dir = "hub-data"\ndatabase = "{url}"\n')
        pointed = run_cli("hub", "backup", "--config", str(config), str(tmp_path / "backup"), check=False)
        command = next(line for line in pointed.stdout.splitlines() if line.startswith("pg_dump "))
        (tmp_path / "backup").mkdir()
        subprocess.run(shlex.split(command), check=True, timeout=60, env=os.environ.copy())
        for empty in new_postgres_database():  # the dump restores whole into an empty database
            subprocess.run(["pg_restore", "--no-owner", f"--dbname={empty}",
                            str(tmp_path / "backup" / "hub.pgdump")], check=True, timeout=60)
            with HubStore(empty, HUB_ID) as restored:
                assert [e["hash"] for e in restored.events(LANE)] == [e["hash"] for e in sent]
