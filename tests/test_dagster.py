"""The Dagster definitions: every asset materialises on a generated inbox and its checks pass;
a bad inbox fails the right check; the sensor sees new files and only those."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from conftest import write_csv
from orchestration.defs import assets, checks, sensors
from orchestration.defs.resources import InboxResource, JudgementResource, WarehouseResource
from orchestration.definitions import defs


def resources(inbox: Path, warehouse: Path) -> dict:
    return {"warehouse": WarehouseResource(path=str(warehouse)), "inbox": InboxResource(path=str(inbox)),
            "judgement": JudgementResource(as_of="2025-12-31")}


ALL = [*assets.load_assets, assets.rule_tables, *assets.model_assets, *checks.source_checks,
       checks.no_orphan_keys, checks.no_missing_log_days, checks.marts_fresh]


def test_definitions_load_with_schedule_sensor_and_every_model():
    d = defs()
    keys = {k.to_user_string() for k in d.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_media", "rule_tables", "stg_media", "fct_violations", "mart_unit_period_scorecard"} <= keys
    assert [s.name for s in d.schedules] == ["daily_load_and_judge"]
    assert d.schedules[0].execution_timezone == "Asia/Shanghai"
    assert [s.name for s in d.sensors] == ["inbox_sensor"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from orchestration.synthetic import generate

    out = tmp_path_factory.mktemp("gen") / "inbox"
    generate(out, scale="XS", seed=3, year=2025, progress=False)
    return out


def test_every_asset_materialises_and_the_checks_pass(generated, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(generated, inbox)
    for rejected in inbox.glob("*/zz_*"):  # the generator's planted unreadable files
        rejected.unlink()
    result = dg.materialize(ALL, resources=resources(inbox, tmp_path / "wh.duckdb"))
    assert result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == len(checks.source_checks) + 3
    hard = {k: e.passed for k, e in evaluations.items() if k[1] in ("counts_add_up", "no_orphan_keys", "marts_fresh")}
    assert all(hard.values()), hard
    assert len(result.get_asset_materialization_events()) == len(assets.load_assets) + 1 + len(assets.model_assets)


def test_a_bad_inbox_fails_the_quarantine_check(tmp_path):
    inbox = tmp_path / "inbox"
    write_csv(inbox / "units" / "u.csv", [{"unit_id": "U1", "unit_name": "一中队"}])
    write_csv(inbox / "officers" / "o.csv", [{"officer_id": f"O{i}", "name": "张伟", "unit_id": "U1" if i < 5 else "U404"}
                                             for i in range(10)])
    selection = [assets.load_assets[0], assets.load_assets[1], *checks.load_checks("officers")]
    result = dg.materialize(selection, resources=resources(inbox, tmp_path / "wh.duckdb"))
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["counts_add_up"].passed
    assert not evaluations["quarantine_share"].passed
    assert evaluations["quarantine_share"].metadata["quarantine_share"].value == 0.5


def test_the_sensor_picks_up_a_new_file_and_only_that_file(tmp_path):
    inbox = tmp_path / "inbox"
    write_csv(inbox / "units" / "u.csv", [{"unit_id": "U1", "unit_name": "一中队"}])
    res = {"inbox": InboxResource(path=str(inbox))}
    first = sensors.inbox_sensor(dg.build_sensor_context(resources=res))
    assert isinstance(first, dg.RunRequest) and first.tags["recwatch/new_files"] == "units/u.csv"
    cursor = sensors.new_files(inbox, None)[1]
    idle = sensors.inbox_sensor(dg.build_sensor_context(cursor=cursor, resources=res))
    assert isinstance(idle, dg.SkipReason)
    write_csv(inbox / "media" / "2025-03.csv", [{"media_id": "M1"}])
    again = sensors.inbox_sensor(dg.build_sensor_context(cursor=cursor, resources=res))
    assert isinstance(again, dg.RunRequest) and again.tags["recwatch/new_files"] == "media/2025-03.csv"
