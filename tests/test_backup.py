"""Backups and restoring them (issue #30): a consistent copy with a manifest, taken while no run
holds the warehouse; restored only when it matches its manifest, into a warehouse equal to the
original table by table."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from core.warehouse import WarehouseBusy
from orchestration.backup import BackupError, backup, prune, restore, verify
from orchestration.cli import main


@pytest.fixture
def warehouse(samples, tmp_path) -> Path:
    """A judged sample year's warehouse, a copy to back up."""
    wh = tmp_path / "wh" / "recwatch.duckdb"
    wh.parent.mkdir()
    shutil.copy(samples.published(5).with_name("wh.duckdb"), wh)
    return wh


def differences(a: Path, b: Path) -> dict[str, int]:
    """Per table, the rows one warehouse has and the other lacks (counted with duplicates), either way."""
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'a'").fetchall()}
    assert tables == {r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'b'").fetchall()}
    out = {t: con.execute(f'select (select count(*) from (from a."{t}" except all from b."{t}")) '
                          f'+ (select count(*) from (from b."{t}" except all from a."{t}"))').fetchall()[0][0]
           for t in sorted(tables)}
    con.close()
    return {t: n for t, n in out.items() if n}


def test_a_backup_restores_to_a_warehouse_equal_table_by_table(warehouse, tmp_path):
    folder = backup(warehouse, tmp_path / "backups", now=dt.datetime(2026, 1, 5, 2, 0))
    assert folder.name == "recwatch-20260105-020000"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["fct_violations"] > 0 and manifest["tables"]["raw_cases"] > 0
    assert manifest["duckdb_version"] == duckdb.__version__ and len(manifest["sha256"]) == 64
    target = tmp_path / "restored" / "recwatch.duckdb"
    restore(folder, target)
    assert differences(warehouse, target) == {}
    assert target.with_name("recwatch.published.duckdb").exists()  # the dashboard's snapshot, published again


def test_restore_never_overwrites_unless_told(warehouse, tmp_path):
    folder = backup(warehouse, tmp_path / "backups")
    con = duckdb.connect(str(warehouse))
    con.execute("delete from quarantine")  # the warehouse changes after the backup
    con.close()
    with pytest.raises(BackupError) as refused:
        restore(folder, warehouse)
    assert "--force" in refused.value.en and "已存在" in refused.value.zh
    assert differences(warehouse, folder / warehouse.name) == {"quarantine": manifest_rows(folder, "quarantine")}
    restore(folder, warehouse, force=True)
    assert differences(warehouse, folder / warehouse.name) == {}


def manifest_rows(folder: Path, table: str) -> int:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["tables"][table]


def test_a_damaged_or_mismatched_backup_is_refused_and_nothing_replaced(warehouse, tmp_path):
    folder = backup(warehouse, tmp_path / "backups")
    target = tmp_path / "target.duckdb"
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    with open(damaged / warehouse.name, "r+b") as fh:  # one byte of the copy flipped
        fh.seek(fh.seek(0, 2) // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(BackupError, match="damaged"):
        restore(damaged, target)
    mismatched = tmp_path / "mismatched"
    shutil.copytree(folder, mismatched)
    manifest = json.loads((mismatched / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["raw_cases"] += 1  # a manifest that does not describe its copy
    (mismatched / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BackupError, match="raw_cases"):
        restore(mismatched, target)
    (mismatched / "manifest.json").unlink()
    with pytest.raises(BackupError, match="no manifest.json"):
        restore(mismatched, target)
    (mismatched / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(BackupError, match="cannot be read"):
        verify(mismatched)
    assert not target.exists() and not list(tmp_path.glob("target.duckdb*"))


def hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process (a run) holding the warehouse for writing for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time, sys; con = duckdb.connect({str(warehouse)!r}); "
                                                     f"print('held', flush=True); time.sleep({seconds})"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_backup_waits_for_a_run_then_refuses_cleanly(warehouse, tmp_path):
    holder = hold(warehouse, 30)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as busy:
            backup(warehouse, tmp_path / "backups", wait=2)
        assert 2 <= time.monotonic() - started < 10 and "PID" in busy.value.en
        assert not list((tmp_path / "backups").glob("*"))  # nothing half-written left behind
    finally:
        holder.kill()
        holder.wait()
    holder = hold(warehouse, 2)  # a run that ends while the backup waits for it
    try:
        folder = backup(warehouse, tmp_path / "backups", wait=30)
    finally:
        holder.wait()
    assert verify(folder).tables["fct_violations"] > 0


def test_the_schedule_keeps_the_newest_of_each_recent_day_and_month(tmp_path):
    stamps = ["20251115-020000", "20251130-020000", "20251201-020000", "20251231-020000", "20260101-020000",
              "20260104-020000", "20260105-020000", "20260105-140000"]
    for stamp in stamps:
        (tmp_path / f"recwatch-{stamp}").mkdir()
    (tmp_path / "recwatch-20260105-150000.partial").mkdir()  # a backup cut short: not the schedule's to judge
    (tmp_path / "recwatch-20251001-090000-before-upgrade").mkdir()  # labelled: kept until removed by hand
    (tmp_path / "notes").mkdir()
    removed = prune(tmp_path, keep_daily=3, keep_monthly=2, today=dt.date(2026, 1, 5))
    # kept: the newest of 5, 4 and 3 January (none that day), and of January (the same) and December
    assert sorted(p.name[9:] for p in removed) == ["20251115-020000", "20251130-020000", "20251201-020000",
                                                    "20260101-020000", "20260105-020000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes", "recwatch-20251001-090000-before-upgrade", "recwatch-20251231-020000", "recwatch-20260104-020000", "recwatch-20260105-140000",
        "recwatch-20260105-150000.partial"]


def test_the_commands(warehouse, tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--warehouse", str(warehouse), "-o", str(tmp_path / "b"), "--label", "before-upgrade"])
    assert made.exit_code == 0 and "备份已写入" in made.output, made.output
    assert runner.invoke(main, ["backup", "--warehouse", str(warehouse), "-o", str(tmp_path / "c"), "--label", "../x"]).exit_code == 1
    (folder,) = (tmp_path / "b").iterdir()
    refused = runner.invoke(main, ["restore", str(folder), "--warehouse", str(warehouse)])
    assert refused.exit_code == 1 and "--force" in refused.output
    done = runner.invoke(main, ["restore", str(folder), "--warehouse", str(warehouse), "--force"])
    assert done.exit_code == 0 and "restored" in done.output
