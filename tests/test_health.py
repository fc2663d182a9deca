"""The dashboard's /health (issue #30): a monitor alerts on its status code when the published
snapshot is older than a day and a half or the last run failed; it answers without a user and says
nothing about any unit."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from core.runstatus import read_status, status_path, write_status
from core.settings import Settings
from dashboards.app import create_app
from dashboards.health import health
from orchestration.cli import main


@pytest.fixture
def snapshot(samples, tmp_path) -> Path:
    snap = tmp_path / "recwatch.published.duckdb"
    shutil.copy(samples.published(5), snap)
    return snap


def test_fresh_after_a_good_run_is_ok(snapshot):
    write_status(snapshot.with_name("recwatch.duckdb"), "success", as_of=dt.date(2025, 12, 31), batch_outcome="success")
    report, status = health(snapshot, 36, now=dt.datetime.now() + dt.timedelta(hours=2))
    assert status == 200 and report["status"] == "ok" and report["problems"] == []
    assert report["last_run"]["outcome"] == "success" and report["last_run"]["as_of"] == "2025-12-31"
    assert 1.9 < report["snapshot_age_hours"] < 2.2


def test_an_old_snapshot_or_a_failed_run_is_a_503_saying_why(snapshot, tmp_path):
    old = (dt.datetime.now() - dt.timedelta(hours=40)).timestamp()
    os.utime(snapshot, (old, old))
    report, status = health(snapshot, 36)
    assert status == 503 and report["status"] == "stale" and "hours old" in report["problems"][0]
    write_status(snapshot.with_name("recwatch.duckdb"), "failed", error="WarehouseBusy('…')")
    report, status = health(snapshot, 36)
    assert status == 503 and report["status"] == "failing" and "the last run failed" in report["problems"][1]
    report, status = health(tmp_path / "none.published.duckdb", 36)
    assert status == 503 and report["status"] == "no_snapshot"


def test_the_endpoint_answers_a_monitor_that_is_no_user_and_names_no_unit(snapshot):
    """Behind a trusted proxy an unknown user is refused every page; /health still answers, and
    names no unit (it would otherwise tell anyone what the office oversees)."""
    settings = Settings(trusted_proxies=("10.0.0.1",), access_users={"chief": "*"})
    http = create_app(snapshot, settings=settings).server.test_client()
    assert http.get("/", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-User": "nobody"}).status_code == 403
    got = http.get("/health", environ_base={"REMOTE_ADDR": "192.168.9.9"})
    assert got.status_code == 200 and got.mimetype == "application/json"
    body = got.get_data(as_text=True)
    assert json.loads(body)["status"] == "ok"
    con = duckdb.connect(str(snapshot), read_only=True)
    names = [n for (n,) in con.execute("select unit_name from dim_units").fetchall()] + \
        [u for (u,) in con.execute("select unit_id from dim_units").fetchall()]
    con.close()
    assert not any(n in body for n in names)


def test_a_run_records_how_it_went(samples, tmp_path, monkeypatch):
    inbox = samples.inbox(5)[0]
    wh = tmp_path / "recwatch.duckdb"
    done = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--warehouse", str(wh), "--as-of", "2025-12-31"])
    assert done.exit_code == 0, done.output
    said = read_status(status_path(wh))
    assert said["outcome"] == "success" and said["as_of"] == "2025-12-31" and said["batch_outcome"] in ("success", "partial")

    from orchestration import runner

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(runner, "build", broken)
    failed = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--warehouse", str(wh), "--as-of", "2025-12-31"])
    assert failed.exit_code != 0
    said = read_status(status_path(wh))
    assert said["outcome"] == "failed" and "the disk is full" in said["error"]
    report, status = health(wh.with_name("recwatch.published.duckdb"), 36)
    assert status == 503 and "the disk is full" in report["problems"][0]
