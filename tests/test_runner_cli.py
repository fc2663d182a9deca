"""The SQL model runner and the `recwatch run` command."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from core.warehouse import connect
from orchestration import runner
from orchestration.cli import main

from conftest import T, load, rows, write_csv


def test_models_are_ordered_after_what_they_read(tmp_path):
    for layer in runner.LAYERS:
        (tmp_path / layer).mkdir()
    (tmp_path / "marts" / "fct_b.sql").write_text("select * from int_a join stg_x using (k)")
    (tmp_path / "intermediate" / "int_a.sql").write_text("-- reads stg_x, not fct_b\nselect * from stg_x")
    (tmp_path / "staging" / "stg_x.sql").write_text("select 1 as k from raw_units")
    order = [m.name for m in runner.discover(tmp_path)]
    assert order == ["stg_x", "int_a", "fct_b"]
    assert runner.discover(tmp_path)[2].deps == {"int_a", "stg_x"}


def test_layers_read_one_way():
    """A model reads its own layer or earlier ones (its days query too): no intermediate model reads a mart."""
    models = {m.name: m for m in runner.discover()}
    rank = {layer: n for n, layer in enumerate(runner.LAYERS)}
    assert [(m.name, dep) for m in models.values() for dep in sorted(m.deps)
            if rank[models[dep].layer] > rank[m.layer]] == []


def test_models_call_the_macros_of_models_macros_from_any_connection(tmp_path):
    """models/macros/*.sql run before the models; the macros are stored in the warehouse, so a view
    calling one reads the same from another connection."""
    con = connect(tmp_path / "wh.duckdb")
    runner.set_parameters(con, dt.date(2025, 12, 31), "hebei")
    con.execute("create view moments as select zh_minute(timestamp '2025-03-04 09:05') as zh, "
                "en_minute(timestamp '2025-03-04 09:05') as en, number_text(24.0) || '/' || number_text(1.5) as hours, "
                "percent_text(0.854) as share, plus_hours(timestamp '2025-03-04 09:05', 1.5) as due")
    con.close()
    reader = connect(tmp_path / "wh.duckdb", read_only=True)
    assert rows(reader, "select * from moments") == [("2025年3月4日 09:05", "4 March 2025 09:05", "24/1.5", "85%", T(2025, 3, 4, 10, 35))]
    reader.close()


def test_staging_holds_the_current_version_of_each_key(inbox, warehouse):
    write_csv(inbox / "officers" / "z_update.csv", [{"officer_id": "O2", "name": "李娜", "unit_id": "U1"}])
    load(warehouse, inbox)
    built = dict(runner.build(warehouse, dt.date(2025, 12, 31), "hebei"))
    assert built["stg_officers"] is None and built["int_units"] == 2  # a view is not counted (computed) on build
    assert rows(warehouse, "select officer_id, officer_name, unit_id from stg_officers order by 1") == [
        ("O1", "张伟", "U1"), ("O2", "李娜", "U1")]
    assert rows(warehouse, "select case_id, opened_at, is_emergency_start from stg_cases") == [
        ("C1", T(2025, 3, 1, 9), False)]
    assert rows(warehouse, "select profile_id from rules_profiles order by 1") == [
        ("cele",), ("dalian_jinpu",), ("hebei",), ("longjiang",), ("zhuhui",)]


def test_run_command_loads_judges_and_reports_quarantine_with_exit_0(inbox, tmp_path):
    write_csv(inbox / "acts" / "acts.csv", [
        {"act_id": "A1", "case_id": "C1", "act_type": "seizure", "started_at": "2025-03-02 10:00",
         "ended_at": "2025-03-02 09:00", "officer_ids": "O1"}])
    wh = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--warehouse", str(wh), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert "batch 1: success" in result.output
    assert "acts.ended_at: before" in result.output
    con = connect(wh, read_only=True)
    assert rows(con, "select rows_in, rows_loaded, rows_quarantined from load_batches") == [(6, 5, 1)]
    assert rows(con, "select count(*) from stg_units") == [(2,)]
    con.close()
    again = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--warehouse", str(wh)])
    assert again.exit_code == 0 and "batch 2: nothing new" in again.output


def test_run_command_fails_on_a_missing_inbox(tmp_path):
    result = CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code != 0 and "is not a folder" in result.output


def test_run_command_refuses_an_unknown_default_profile(inbox, tmp_path):
    result = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "w.duckdb"),
                                       "--profile", "guangdong"])
    assert result.exit_code == 2 and "unknown profile 'guangdong'" in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_report_command_writes_the_workbook_from_the_snapshot(inbox, tmp_path):
    wh = tmp_path / "w.duckdb"
    assert CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--warehouse", str(wh),
                                     "--as-of", "2025-12-31"]).exit_code == 0
    out = tmp_path / "book.xlsx"
    result = CliRunner().invoke(main, ["report", "--warehouse", str(wh), "--period", "2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook
    assert load_workbook(out, read_only=True).sheetnames[:2] == ["说明", "汇总"]
    bad = CliRunner().invoke(main, ["report", "--warehouse", str(wh), "--period", "2025-13", "-o", str(out)])
    assert bad.exit_code == 2 and "invalid period" in bad.output


def test_report_and_dashboard_need_a_published_snapshot(tmp_path):
    for args in (["report", "--period", "2025", "-o", str(tmp_path / "b.xlsx")], ["dashboard"]):
        result = CliRunner().invoke(main, [*args, "--warehouse", str(tmp_path / "none.duckdb")])
        assert result.exit_code == 2 and "no published snapshot" in result.output


def test_progress_is_a_line_per_item_when_not_on_a_terminal(capsys):
    from core.progress import steps

    assert list(steps(["stg_media", "fct_violations"], "judge", "model")) == ["stg_media", "fct_violations"]
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" ", 1)[1].rsplit(" (+", 1)[0] for line in lines] == [
        "judge 1/2 model stg_media", "judge 2/2 model fct_violations"]
    assert list(steps([1], "judge", "model", enabled=False)) == [1] and capsys.readouterr().err == ""


def test_a_second_run_while_one_holds_the_warehouse_is_refused_in_both_languages(tmp_path):
    """Issue #22: a second concurrent `run` died with DuckDB's lock traceback."""
    import subprocess
    import sys

    from click.testing import CliRunner

    from orchestration.cli import main

    wh = tmp_path / "wh.duckdb"
    (tmp_path / "inbox").mkdir()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; con = duckdb.connect({str(wh)!r}); "
                               "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(wh)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert f"正由另一个进程（PID {holder.pid}）写入" in result.output
    assert f"held for writing by another process (PID {holder.pid}), most likely another run" in result.output
    assert "Traceback" not in result.output and "IOException" not in result.output
