"""Upgrades (issue #30): a warehouse built by the previous release (tests/fixtures/warehouse-schema1)
is migrated by today's recwatch, keeps every loaded row and frozen figure, and is judged again; one a
newer release wrote is refused untouched; a rule table an upgrade changes is listed."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from core.warehouse import connect
from orchestration import runner
from orchestration.cli import main
from orchestration.load import load_inbox
from orchestration.migrate import SCHEMA_VERSION, WarehouseTooNew, recwatch_version

FIXTURE = Path(__file__).parent / "fixtures" / "warehouse-schema1"


def old_warehouse(path: Path) -> Path:
    """A DuckDB file as the previous release left it, from the fixture's tables and rows."""
    con = duckdb.connect(str(path))
    con.execute((FIXTURE / "schema.sql").read_text(encoding="utf-8"))
    for table in sorted(p.stem for p in FIXTURE.glob("*.csv")):
        con.execute(f"insert into \"{table}\" select * from read_csv(?, header = true, auto_detect = true, "
                    f"all_varchar = false)", [str(FIXTURE / f"{table}.csv")])
    con.close()
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_previous_releases_warehouse_is_migrated_and_judged_again(tmp_path):
    wh = old_warehouse(tmp_path / "recwatch.duckdb")
    frozen = rows(wh, "select * from appraisal_frozen_scores order by all")
    raw = {t: rows(wh, f"select count(*) from {t}")[0][0] for t in ("raw_cases", "raw_media", "raw_acts")}
    assert frozen and "warehouse_versions" not in {t for (t,) in rows(wh, "select table_name from duckdb_tables()")}
    inbox = tmp_path / "inbox" / "spot_check_reviews"
    inbox.mkdir(parents=True)
    (inbox / "reviews.csv").write_text("评查编号,案件编号,抽查期间,评查结论\nR1,C1,2025,不合格\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(wh),
                                     "--as-of", "2026-02-01"])
    assert done.exit_code == 0 and "warehouse migrated from schema 1 to 2" in done.output, done.output
    assert rows(wh, "select schema_version, recwatch_version, note from warehouse_versions") == [
        (2, recwatch_version(), "migrated from schema 1")] and SCHEMA_VERSION == 2
    assert {t: rows(wh, f"select count(*) from {t}")[0][0] for t in raw} == raw  # every loaded row kept
    assert rows(wh, "select * from appraisal_frozen_scores order by all") == frozen  # frozen figures carried over
    card = rows(wh, "select unit_id, period, appraisal_score from mart_unit_period_scorecard where period_type = 'year'")
    assert card == [(u, p, s) for u, t, p, _, s, *_ in frozen if t == "year"]
    # the new source works on the old warehouse: C1 is U2's only case closed in 2025 besides C2 and C3
    assert rows(wh, "select case_id, review_status from mart_spot_check_ledger where period = '2025' "
                    "and review_status <> 'not_reviewed'") == [("C1", "failed")]


def test_a_warehouse_a_newer_release_wrote_is_refused_untouched(tmp_path):
    wh = tmp_path / "recwatch.duckdb"
    con = connect(wh)
    load_inbox(con, tmp_path / "empty")
    con.execute("insert into warehouse_versions values (?, '9.0.0', '9', current_localtimestamp(), 'created')",
                [SCHEMA_VERSION + 1])
    batches = con.execute("select count(*) from load_batches").fetchall()[0][0]
    with pytest.raises(WarehouseTooNew) as refused:
        load_inbox(con, tmp_path / "empty")
    with pytest.raises(WarehouseTooNew):
        runner.build(con, dt.date(2025, 12, 31), "hebei")
    assert "9.0.0" in refused.value.en and "未作任何改动" in refused.value.zh
    assert con.execute("select count(*) from load_batches").fetchall()[0][0] == batches
    con.close()


def test_a_changed_rule_table_is_listed(tmp_path):
    """An upgrade that changes a rule table (or an office editing one) can move every unfrozen
    score: the build records which tables changed and by how many rows, and the run says so."""
    wh = old_warehouse(tmp_path / "recwatch.duckdb")
    con = connect(wh)
    runner.build(con, dt.date(2026, 2, 1), "hebei")
    before = con.execute("select count(*) from rule_table_changes").fetchall()[0][0]
    con.execute("update rules_rule_parameters set value = '48' where rule_id = 'R-UPL' and parameter = 'deadline_hours' "
                "and profile_id = 'hebei'")  # as a release with another deadline left it
    con.close()
    (tmp_path / "none").mkdir()
    done = CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "none"), "--warehouse", str(wh),
                                     "--as-of", "2026-02-01"])
    assert done.exit_code == 0, done.output
    assert "rule tables changed since the last build" in done.output and "rules_rule_parameters +1 -1" in done.output
    assert rows(wh, "select table_name, rows_added, rows_removed from rule_table_changes")[before:] == [
        ("rules_rule_parameters", 1, 1)]


def test_the_fixture_is_the_previous_schema():
    """The fixture has what schema 1 had and nothing of schema 2 (else the test above proves nothing)."""
    names = {p.stem for p in FIXTURE.glob("*.csv")}
    assert {"raw_cases", "appraisal_frozen_scores", "load_batches", "model_partitions"} <= names
    assert not names & {"raw_spot_check_reviews", "warehouse_versions", "rule_table_changes"}
    with open(FIXTURE / "appraisal_frozen_scores.csv", encoding="utf-8") as fh:
        assert any(r["period"] == "2025" for r in csv.DictReader(fh))
