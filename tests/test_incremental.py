"""Day-partitioned models: a daily build recomputes only the days its new rows and the move of as_of
may change, and ends with exactly what a full rebuild gives: device days (R-DEV-CHECK: hebei 第十五条
pre-duty check before recording) and the links of recordings to acts (rules.md §1)."""

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

import models
from bench.incremental import next_day
from core.warehouse import connect
from orchestration import runner
from orchestration.load import load_inbox
from orchestration.publish import UNCHANGED, publish, updates

from conftest import write_csv

PARTITIONED = tuple(m.name for m in runner.discover() if m.partition)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, samples) -> Path:
    """An XS year loaded and judged as of 2025-06-30: the warehouse a daily run starts from."""
    root = tmp_path_factory.mktemp("incremental")
    shutil.copytree(samples.inbox(5)[0], root / "inbox")
    shutil.copy(samples.loaded(5)[0], root / "wh.duckdb")
    con = connect(root / "wh.duckdb")
    runner.build(con, dt.date(2025, 6, 30), "hebei")
    con.close()
    return root


def snapshot(con, models: set[str] | None = None) -> dict[str, list[tuple]]:
    """Every model's rows (or those of `models`): the partitioned ones, and those built from them (but
    the view of the checks of the days being built, which is only meaningful while a model builds)."""
    return {m.name: sorted(con.execute(f"select * from {m.name}").fetchall(), key=repr) for m in runner.discover()
            if m.name != "int_rule_checks_of_run_days" and (models is None or m.name in models)}


def run_days(con, model: str = "fct_device_days") -> list[dt.date] | None:
    """The days the last build of `model` recomputed; None when it rebuilt every day."""
    return con.execute("select days from model_partitions where model = ?", [model]).fetchall()[0][0]


def full_rebuild(con, as_of: dt.date) -> dict[str, list[tuple]]:
    con.execute("delete from model_partitions")
    runner.build(con, as_of, "hebei")
    return snapshot(con)


@pytest.fixture
def warehouse(loaded: Path, tmp_path: Path):
    shutil.copytree(loaded / "inbox", tmp_path / "inbox")
    shutil.copy(loaded / "wh.duckdb", tmp_path / "wh.duckdb")
    con = connect(tmp_path / "wh.duckdb")
    yield con, tmp_path / "inbox"
    con.close()


def a_device(con) -> str:
    return con.execute("select min(device_id) from stg_devices where device_type = 'body_camera'").fetchall()[0][0]


def test_a_day_of_new_logs_recomputes_only_that_day_and_matches_a_full_rebuild(warehouse, tmp_path):
    con, inbox = warehouse
    published = publish(con, tmp_path / "wh.duckdb")
    device = a_device(con)
    # the next morning's export: yesterday's logs, plus one late log of a day in March
    write_csv(inbox / "device_events" / "zz-2025-07-01.csv", [
        {"device_id": device, "event_time": "2025-07-01 08:00:00", "event_type": "record_start", "file_id": "NEW-1"},
        {"device_id": device, "event_time": "2025-07-01 08:20:00", "event_type": "record_stop", "file_id": "NEW-1"},
        {"device_id": device, "event_time": "2025-03-10 23:59:00", "event_type": "record_start", "file_id": "NEW-2"},
    ])
    # and two copies of a recording without approval (R-ACC), that day's and a late one of March
    media, officer = con.execute("select min(media_id), min(officer_id) from stg_media").fetchall()[0]
    write_csv(inbox / "media_access" / "zz-2025-07-01.csv", [
        {"access_id": f"NEW-A{n}", "media_id": media, "officer_id": officer, "accessed_at": at, "action": "copy",
         "approval_ref": ""} for n, at in enumerate(("2025-07-01 09:00:00", "2025-03-10 10:00:00"))])
    before = con.execute("select count(*) from fct_device_days where day = date '2025-07-01'").fetchall()[0][0]
    load_inbox(con, inbox)
    runner.build(con, dt.date(2025, 7, 1), "hebei")

    assert run_days(con) == [dt.date(2025, 3, 10), dt.date(2025, 7, 1)]
    # and those of later accesses to the recordings that ended on the day as_of moved over
    assert {dt.date(2025, 3, 10), dt.date(2025, 7, 1)} <= set(run_days(con, "int_checks__access"))
    assert len(run_days(con, "int_checks__access")) < 10
    assert con.execute("select count(*) from fct_violations where rule_id = 'R-ACC' and media_id = ? and occurred_at "
                       "in ('2025-07-01 09:00:00', '2025-03-10 10:00:00')", [media]).fetchall() == [(2,)]
    got = snapshot(con)
    day = con.execute("select record_starts, is_checked_before_recording from fct_device_days "
                      "where device_id = ? and day = date '2025-07-01'", [device]).fetchall()
    assert day[0][0] >= 1 and day[0][1] is False  # no pre-duty check before 08:00 that day
    assert con.execute("select count(*) from fct_device_days where day = date '2025-07-01'").fetchall()[0][0] > before
    # a day in the middle (10 March): the rows from that day on were written again, in the order a
    # full build gives (byte-identical), and the snapshot takes just those
    assert dt.date(2025, 3, 10) in run_days(con, "fct_violations")
    in_order = {t: con.execute(f"select * from {t}").fetchall() for t in ("fct_device_days", "fct_violations")}
    con.execute(f"attach '{published}' as snapshot (read_only)")
    changes = updates(con, ["fct_device_days", "fct_violations"])
    con.execute("detach snapshot")
    first = min(run_days(con, "fct_violations"))  # the month's first day too: R-DEV-MAINT judges months
    assert first < dt.date(2025, 6, 30) and changes == {
        "fct_device_days": "day is null or day >= date '2025-03-10'",
        "fct_violations": f"partition_day is null or partition_day >= date '{first}'"}
    publish(con, tmp_path / "wh.duckdb")
    fresh = publish(con, tmp_path / "fresh.duckdb")
    con.execute(f"attach '{published}' as updated (read_only)")
    con.execute(f"attach '{fresh}' as fresh (read_only)")
    for table in in_order:
        assert (con.execute(f"select * from updated.{table}").fetchall()
                == con.execute(f"select * from fresh.{table}").fetchall() == in_order[table])
    con.execute("detach updated")
    con.execute("detach fresh")
    assert got == full_rebuild(con, dt.date(2025, 7, 1))
    assert in_order == {t: con.execute(f"select * from {t}").fetchall() for t in in_order}  # byte-identical


def test_as_of_moving_forward_recomputes_the_days_it_passes(warehouse):
    con, _ = warehouse
    runner.build(con, dt.date(2025, 7, 3), "hebei")
    assert run_days(con) == [dt.date(2025, 7, 1), dt.date(2025, 7, 2), dt.date(2025, 7, 3)]
    # the new days come after every kept one: appended, not re-sorted, in a full build's order
    in_order = con.execute("select * from fct_device_days").fetchall()
    assert con.execute("select last(day) from fct_device_days").fetchall()[0][0] == dt.date(2025, 7, 3)
    assert snapshot(con) == full_rebuild(con, dt.date(2025, 7, 3))
    assert in_order == con.execute("select * from fct_device_days").fetchall()


def test_a_build_of_some_models_gives_them_the_rows_a_build_of_every_model_does(warehouse):
    """runner.build(models=...), as a rule test builds: the targets and what they read, all the way
    down (the models whose recomputed days a days query reads too), each with the rows a build of
    every model gives it, whether from the last build's state or from none. The models it leaves
    alone catch up at the next build of every model."""
    con, _ = warehouse
    day, targets = dt.date(2025, 7, 3), ["fct_violations", "fct_device_days"]
    models = {m.name: m for m in runner.discover()}
    built = [name for name, _ in runner.build(con, day, "hebei", models=targets)]
    assert built == [name for name in models if name in built]  # in the order of a whole build
    assert set(targets) <= set(built) and all(models[name].deps <= set(built) for name in built)
    assert "int_checks__upload" in built  # read by fct_violations.days.sql as recomputed_int_checks__upload
    assert not {"mart_unit_period_scorecard", "int_rule_check_months", "mart_warnings"} & set(built)
    partial = snapshot(con, set(built))
    runner.build(con, day, "hebei")
    caught_up = snapshot(con)
    full = full_rebuild(con, day)
    assert partial == {name: full[name] for name in partial} and caught_up == full
    con.execute("delete from model_partitions")  # as in a fresh warehouse: every day of every model
    runner.build(con, day, "hebei", models=targets)
    assert snapshot(con, set(built)) == partial


def test_as_of_in_the_past_a_changed_device_or_rule_rebuilds_every_day(warehouse):
    con, inbox = warehouse
    runner.build(con, dt.date(2025, 6, 1), "hebei")  # back in time
    assert run_days(con) is None
    runner.build(con, dt.date(2025, 6, 1), "hebei")  # nothing new: nothing to do
    assert run_days(con) == []
    # a device moved to another unit changes the unit of every one of its days
    device = a_device(con)
    unit = con.execute("select max(unit_id) from stg_units where unit_id <> "
                       "(select unit_id from stg_devices where device_id = ?)", [device]).fetchall()[0][0]
    write_csv(inbox / "devices" / "zz-moved.csv", [
        {"device_id": device, "device_type": "body_camera", "unit_id": unit, "in_service_from": "2024-01-01"}])
    load_inbox(con, inbox)
    runner.build(con, dt.date(2025, 6, 1), "hebei")
    assert run_days(con) is None
    assert snapshot(con) == full_rebuild(con, dt.date(2025, 6, 1))
    # another default profile is another setting: every day again
    runner.build(con, dt.date(2025, 6, 1), "cele")
    assert run_days(con) is None


def test_a_changed_macro_rebuilds_every_day(warehouse, tmp_path, monkeypatch):
    """Any model may call a macro of models/macros: a changed one rebuilds as a changed model does."""
    con, _ = warehouse
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "changed.sql").write_text(runner.macros().replace("'%H:%M')", "'%H时%M分')"),
                                                     encoding="utf-8")
    monkeypatch.setattr(models, "MACROS_DIR", tmp_path / "macros")
    runner.build(con, dt.date(2025, 6, 30), "hebei")
    assert run_days(con) is None and run_days(con, "int_checks__device_days") is None
    assert con.execute("select count(*) from fct_violations where rule_id = 'R-DEV-CHECK' "
                       "and detail_zh like '%首次开始录制于 __时__分%'").fetchall()[0][0] > 0


def test_a_daily_delivery_of_every_source_recomputes_its_days_and_matches_a_full_rebuild(warehouse, tmp_path):
    con, inbox = warehouse
    runner.build(con, dt.date(2025, 12, 31), "hebei")  # half a year on: uploads, deletions, retention ends
    assert run_days(con, "int_media_retention_periods") is not None
    assert snapshot(con) == full_rebuild(con, dt.date(2025, 12, 31))
    published = publish(con, tmp_path / "wh.duckdb")
    con.close()
    day, rows = next_day(tmp_path / "wh.duckdb", inbox, tmp_path / "daily")  # 2025-12-31 again, a day on
    assert day == dt.date(2026, 1, 1) and rows > 0
    con = connect(tmp_path / "wh.duckdb")
    try:
        load_inbox(con, tmp_path / "daily")
        runner.build(con, day, "hebei")
        # recordings of the new day and those its acts may overlap (the longest recording is hours)
        assert run_days(con, "int_media_act_links") in ([day], [day, day + dt.timedelta(days=1)])
        assert run_days(con) == [dt.date(2026, 1, 1)]
        recomputed = {m: run_days(con, m) for m in PARTITIONED}
        assert all(days is not None and len(days) < 10 for days in recomputed.values()), recomputed
        # the snapshot gets the recomputed days and the new batch's quarantined rows, and is then
        # row for row what publishing everything anew writes
        con.execute(f"attach '{published}' as snapshot (read_only)")
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'snapshot' "
                                           "and table_name <> 'published_partitions'").fetchall()]
        changes = updates(con, names)
        fixed = {"stg_cases", "stg_units", "dim_cases", "dim_rules", "dim_rule_families",
                 "dim_profile_family_weights"}
        assert changes.keys() == {"quarantine", *fixed, *(set(PARTITIONED) & set(names))}
        # no cases or units were delivered, and the rule tables are as they were: what is made of
        # them alone stays as published
        assert {changes[n] for n in fixed} == {UNCHANGED} != {changes["fct_violations"]}
        con.execute("detach snapshot")
        publish(con, tmp_path / "wh.duckdb")
        fresh = publish(con, tmp_path / "fresh.duckdb")
        con.execute(f"attach '{published}' as updated (read_only)")
        con.execute(f"attach '{fresh}' as fresh (read_only)")
        assert {n: con.execute(f"select * from updated.{n}").fetchall() for n in names} == {
            n: con.execute(f"select * from fresh.{n}").fetchall() for n in names}
        con.execute("detach updated")
        con.execute("detach fresh")
        in_order = {t: con.execute(f"select * from {t}").fetchall() for t in ("fct_violations", "fct_device_days")}
        assert snapshot(con) == full_rebuild(con, day)
        # the days appended after the kept ones: the order of a full build, without sorting again
        assert in_order == {t: con.execute(f"select * from {t}").fetchall() for t in in_order}
    finally:
        con.close()


def blanks(row: dict) -> dict:
    """A row read back from raw_<source>, as an export writes it: missing values empty."""
    return {k: "" if not isinstance(v, (list, str)) and pd.isna(v) else v for k, v in row.items()}


def test_a_late_act_or_case_recomputes_the_days_of_the_recordings_it_may_overlap(warehouse, tmp_path):
    con, inbox = warehouse
    published = publish(con, tmp_path / "wh.duckdb")
    act = con.execute("select act_id, act_case_id, cast(act_started_at as date) from int_media_act_links "
                      "where act_started_at >= date '2025-03-01' order by act_started_at limit 1").fetchall()[0]
    # the act, redelivered an hour longer, and its case, redelivered with a new party name
    row = con.execute("select * exclude (_extra, _batch_id, _file_id, _row_number) from raw_acts where act_id = ?",
                      [act[0]]).fetchdf().to_dict("records")[0]
    row["ended_at"] = row["ended_at"] + dt.timedelta(hours=1)
    row["officer_ids"] = ";".join(row["officer_ids"])
    write_csv(inbox / "acts" / "zz-late.csv", [blanks(row)])
    case = con.execute("select * exclude (_extra, _batch_id, _file_id, _row_number) from raw_cases "
                       "where case_id = ?", [act[1]]).fetchdf().to_dict("records")[0]
    write_csv(inbox / "cases" / "zz-late.csv", [blanks({**case, "party_name": "改名"})])
    assert load_inbox(con, inbox).total("rows_quarantined") == 0
    runner.build(con, dt.date(2025, 6, 30), "hebei")
    recomputed = run_days(con, "int_media_act_links")
    assert recomputed is not None and act[2] in recomputed and len(recomputed) < 60
    assert run_days(con) == []  # device logs: nothing new
    assert act[2] in run_days(con, "int_media_upload")
    # the case delivered again is published again
    publish(con, tmp_path / "wh.duckdb")
    con.execute(f"attach '{published}' as snapshot (read_only)")
    assert con.execute("select party_name from snapshot.stg_cases where case_id = ?", [act[1]]).fetchall() == [("改名",)]
    con.execute("detach snapshot")
    assert snapshot(con) == full_rebuild(con, dt.date(2025, 6, 30))


def test_a_late_recording_or_statement_recomputes_the_interruptions_it_explains(warehouse):
    """R-DEV-INT (rules.md §5): an interruption is explained by the next recording on its device
    opening with a spoken note, or by a written statement for the act going on; either may arrive
    days after the interruption."""
    con, inbox = warehouse
    # a recording resumed a second after the first interruption of the year, with a spoken note,
    # delivered months late
    device, at = con.execute("select device_id, occurred_at from int_checks__device_interrupts "
                             "order by occurred_at limit 1").fetchall()[0]
    row = con.execute("select * exclude (_extra, _batch_id, _file_id, _row_number) from raw_media "
                      "where device_id = ? limit 1", [device]).fetchdf().to_dict("records")[0]
    start = at + dt.timedelta(seconds=1)
    write_csv(inbox / "media" / "zz-late.csv", [blanks({
        **row, "media_id": "LATE-1", "recorded_start": start, "recorded_end": start + dt.timedelta(minutes=5),
        "uploaded_at": start + dt.timedelta(hours=1), "interruption_note": True})])
    # and an interruption logged during an act in March by its officer's camera
    act, case, act_start, camera = con.execute(
        "select acts.act_id, acts.case_id, acts.started_at, devices.device_id from int_acts as acts "
        "inner join stg_devices as devices on devices.officer_id = acts.officer_ids[1] "
        "where acts.started_at >= date '2025-03-01' and devices.device_type = 'body_camera' "
        "and acts.ended_at > acts.started_at + interval 2 minute "
        "order by acts.started_at limit 1").fetchall()[0]
    cut = act_start + dt.timedelta(minutes=1)
    write_csv(inbox / "device_events" / "zz-late.csv", [
        {"device_id": camera, "event_time": cut, "event_type": "record_interrupt", "file_id": "", "reason": "battery"}])
    assert load_inbox(con, inbox).total("rows_quarantined") == 0
    runner.build(con, dt.date(2025, 6, 30), "hebei")
    recomputed = run_days(con, "int_checks__device_interrupts")
    assert {at.date(), cut.date()} <= set(recomputed) and len(recomputed) < 30
    assert con.execute("select is_compliant, media_id from int_checks__device_interrupts "
                       "where device_id = ? and occurred_at = ?", [device, at]).fetchall() == [(True, "LATE-1")]
    assert snapshot(con) == full_rebuild(con, dt.date(2025, 6, 30))

    # the written statement for the act, signed by two officers, filed in June
    write_csv(inbox / "documents" / "zz-late.csv", [{
        "doc_id": "LATE-D1", "case_id": case, "act_id": act, "doc_type": "interruption_statement",
        "signed_at": "2025-06-15 10:00:00", "party_signed": "true", "refusal_noted": "false",
        "officer_signatures": 2}])
    assert load_inbox(con, inbox).total("rows_quarantined") == 0
    runner.build(con, dt.date(2025, 6, 30), "hebei")
    assert cut.date() in run_days(con, "int_checks__device_interrupts")
    assert con.execute("select is_compliant, act_id from int_checks__device_interrupts "
                       "where device_id = ? and occurred_at = ?", [camera, cut]).fetchall() == [(True, act)]
    assert snapshot(con) == full_rebuild(con, dt.date(2025, 6, 30))
