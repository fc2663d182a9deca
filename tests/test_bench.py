"""Smoke test of the benchmark command, so that it cannot rot (no timing is asserted)."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from importlib.util import find_spec

import duckdb
import pytest

from bench import incremental
from bench.__main__ import bench, cached_inbox, checks, measure, table

STEPS = ["generate", "load", "judge", "publish", "full run", "engine floor", "load floor", "workbook", "notices",
         "dashboard", "one-day incremental"]
FLOOR_RULES = ("R-ACC", "R-ARC", "R-AV", "R-DEV-CHECK", "R-DEV-DEL", "R-DEV-INT", "R-DOC", "R-EVD", "R-INTEG",
               "R-LBL", "R-RET", "R-START", "R-UPL", "R-UPL-LOST")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    cache = tmp_path_factory.mktemp("bench")
    return cache, bench("XS", 5, cache, repeat=3)


def test_every_step_runs_and_the_inbox_is_cached(run):
    cache, rows = run
    assert [r["step"] for r in rows] == STEPS
    assert all(r["seconds"] > 0 and r["peak_rss_mb"] > 0 for r in rows)
    by = {r["step"]: r for r in rows}
    assert by["load"]["rows"] == by["full run"]["rows"] > 1000
    assert by["workbook"]["mb"] > 0 and by["one-day incremental"]["rows"] > 0
    assert by["notices"]["notices"] > 0 and by["notices"]["rows"] > by["notices"]["notices"]
    assert cached_inbox("XS", 5, cache, 2025)[1] is None  # made once, then reused
    assert (cache / "results-XS-5.json").exists()
    text = table(rows, "XS")
    assert "engine floor" in text and "dashboard page" in text


def test_engine_floor_finds_what_recwatch_finds(run):
    _, rows = run
    floor = next(r for r in rows if r["step"] == "engine floor")
    assert 0 < floor["rows"] <= next(r for r in rows if r["step"] == "full run")["rows"]
    assert set(floor["violations"]) == set(FLOOR_RULES)
    assert floor["violations"] == floor["recwatch_violations"] and sum(floor["violations"].values()) > 0


def test_the_run_reports_its_phases(run):
    cache, rows = run
    by = {r["step"]: r for r in rows}
    # and its progress lines stay beside the results, to say which model took the time
    log = (cache / "log-XS-5-full-run.txt").read_text(encoding="utf-8")
    assert " judge 1/" in log and " model fct_violations " in log and " publish " in log
    phases = [by[name] for name in ("load", "judge", "publish")]
    assert sum(p["seconds"] for p in phases) < by["full run"]["seconds"]
    assert 0 < phases[0]["peak_rss_mb"] <= phases[1]["peak_rss_mb"] <= phases[2]["peak_rss_mb"]
    assert by["judge"]["rows"] > by["publish"]["rows"] > 0


def test_every_dashboard_page_answers(run):
    _, rows = run
    pages = next(r for r in rows if r["step"] == "dashboard")["pages"]
    assert [p["page"] for p in pages] == ["overview", "warnings", "warnings_rows", "units", "officers", "rules",
                                          "ledger", "ledger_cases", "retention", "devices", "quality", "case"]
    assert all(p["requests"] == 3 and 0 < p["median_ms"] <= p["p95_ms"] <= p["max_ms"]
               and p["warm_median_ms"] > 0 and p["layout_median_ms"] > 0 for p in pages)


def test_next_day_is_the_last_day_moved_on_with_new_keys(run, tmp_path):
    cache, _ = run
    day, new = incremental.next_day(cache / "bench-XS-5.duckdb", cache / "inbox-XS-5", tmp_path / "inbox")
    assert day == dt.date(2026, 1, 2)  # the bench's own incremental run loaded 1 January
    media = duckdb.sql(f"select media_id, recorded_start from '{tmp_path}/inbox/media/zz_{day}.parquet'").fetchall()
    events = duckdb.sql(f"select event_time from '{tmp_path}/inbox/device_events/zz_{day}.parquet'").fetchall()
    assert media and events and len(media) + len(events) <= new
    assert all(m.endswith(incremental.SUFFIX) and s.date() == day for m, s in media)
    assert all(e.date() == day for (e,) in events)
    assert (tmp_path / "inbox" / "units").is_dir()  # the old files are there too


def test_targets_are_marked_per_scale():
    rows = [{"step": "judge", "seconds": 30.0, "peak_rss_mb": 2000},
            {"step": "full run", "seconds": 100.0, "peak_rss_mb": 3000, "rows": 10},
            {"step": "engine floor", "seconds": 14.0, "peak_rss_mb": 9000},
            {"step": "load floor", "seconds": 46.0, "peak_rss_mb": 9000},
            {"step": "workbook", "seconds": 5.0, "peak_rss_mb": 9000},
            {"step": "notices", "seconds": 21.0, "peak_rss_mb": 900},
            {"step": "one-day incremental", "seconds": 8.0, "peak_rss_mb": 100},
            {"step": "dashboard", "seconds": 9.0, "peak_rss_mb": 100, "pages": [{"p95_ms": 299}, {"p95_ms": 301}]}]
    marks = checks(rows, "M")
    # issue #27: the full run over the two floors (100 s over 46 + 14), the one-day run's share of it
    assert marks["full run"] == ["≤ 90 s ✗", "≤ 1.6× floors (1.67×) ✗", "RSS ≤ 4 GB ✓"]
    assert marks["one-day incremental"] == ["≤ 8% of full run (8.0%) ✓", "RSS ≤ 4 GB ✓"]
    assert marks["engine floor"] == marks["load floor"] == []  # the floors are not the product
    assert marks["workbook"] == ["≤ 20 s ✓", "RSS ≤ 4 GB ✗"]
    assert marks["notices"] == ["≤ 20 s ✗", "RSS ≤ 4 GB ✓"]
    assert marks["dashboard"] == ["RSS ≤ 4 GB ✓", "p95 ≤ 300 ms ✗"]
    assert checks(rows, "S") == {r["step"]: [] for r in rows}
    assert checks(rows, "HV")["judge"] == ["≤ 2× engine floor (2.14×) ✗"]
    previous = {"steps": [{"step": "full run", "seconds": 50.0, "rows": 10}]}
    marks = checks(rows, "L", previous)
    assert "s/row ≤ 1.5× scale M's (2.00×) ✗" in marks["full run"] and "≤ 1.4× floors (1.67×) ✗" in marks["full run"]
    assert marks["one-day incremental"] == ["≤ 5% of full run (8.0%) ✗", "RSS ≤ 8 GB ✓"]
    assert "RSS ≤ 8 GB ✗" in marks["workbook"]


def test_load_floor_copies_the_inbox(run):
    cache, rows = run
    by = {r["step"]: r for r in rows}
    # every delivered row, give or take the few malformed ones that DuckDB's readers skip or split
    # differently from recwatch's (broken lines, a row with too many fields, a broken sheet)
    assert abs(by["load floor"]["rows"] - by["full run"]["rows"]) <= 0.01 * by["full run"]["rows"]
    assert not list(cache.glob("load-floor-*"))  # its scratch warehouse is removed
    assert "load floor" in table(rows, "XS")


def test_peak_rss_of_a_process_tree_is_summed(tmp_path):
    """A Spark step's JVM is a child its python process never waits for: wait4's peak is the largest
    single process it reaped, the sampled tree's is what the step held at once."""
    hold = "x = b'1' * (300 << 20); time.sleep(2)"  # 300 MB written, so resident
    code = (f"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', {'import time; ' + hold!r}]); "
            f"{hold}; p.wait()")
    _, alone, _ = measure([sys.executable, "-c", code], "two", tmp_path / "log.txt")
    _, summed, _ = measure([sys.executable, "-c", code], "two", tmp_path / "log.txt", tree=True)
    assert 300 < alone < 450 and summed > 600


def test_a_child_sharing_its_parents_memory_is_counted_once(monkeypatch):
    """The JVM starts chmod and ps with vfork: until they run, their counters are the JVM's own."""
    import bench.__main__ as main

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        monkeypatch.setattr(main, "memory_counters", lambda pid: (9, 1000, 0, 0, 0, 9, 0))
        assert main.tree_resident_pages(os.getpid()) == 1000
        monkeypatch.setattr(main, "memory_counters", lambda pid: (9, 1000, 0, 0, 0, pid, 0))
        assert main.tree_resident_pages(os.getpid()) >= 2000
    finally:
        child.kill()
        child.wait()


def test_a_steps_peak_rss_is_not_the_benchs_own(tmp_path):
    """The bench's own memory, once grown and freed, is not counted in a step it starts after."""
    code = ("import sys; from pathlib import Path; from bench.__main__ import measure\n"
            "x = b'1' * (800 << 20); del x\n"
            f"print(measure([sys.executable, '-c', 'pass'], 'nothing', Path({str(tmp_path / 'log.txt')!r}))[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert float(out.strip().splitlines()[-1]) < 400


def test_the_bench_imports_no_spark():
    """`make demo` installs no pyspark: the bench, --spark aside, must not need it."""
    code = ("import sys, bench.__main__, bench.spark\n"
            "print(sorted(m for m in ('pyspark', 'py4j', 'sqlglot') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.skipif(find_spec("pyspark") is None or shutil.which("java") is None, reason="pyspark or Java is missing")
def test_the_spark_path_runs_and_gives_duckdbs_snapshot(run, tmp_path):
    from bench import spark as spark_path

    cache, _ = run
    wh = tmp_path / "wh.duckdb"  # the bench's own warehouse has moved on a day
    as_of = dt.date(2025, 12, 31)
    subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--inbox", str(cache / "inbox-XS-5"),
                    "--warehouse", str(wh), "--as-of", str(as_of)], check=True, capture_output=True)

    def timed(argv, label, **how):
        return measure(argv, label, tmp_path / f"log-{label.replace(' ', '-')}.txt", **how)

    rows = spark_path.run(wh, wh.with_name("wh.published.duckdb"), tmp_path, "XS", 5, as_of, timed,
                          driver_memory="2g", partitions=4)
    by = {r["step"]: r for r in rows}
    assert list(by) == ["spark export-raw", "spark judge", "spark publish", "spark check"]
    assert by["spark check"]["differences"] == {} and by["spark check"]["identical"] == by["spark check"]["tables"]
    judge = by["spark judge"]
    assert judge["peak_rss_mb"] > 500  # the JVM's, which wait4 alone would not see
    assert judge["tasks"] > 0 and judge["task_seconds"] > 0
    violations = next(m for m in judge["models"] if m["name"] == "fct_violations")
    assert violations["tasks"] > 0 and violations["rows_read"] > violations["rows"]
    assert not (tmp_path / "raw-XS-5").exists() and by["spark export-raw"]["tables"]["raw_media"]["days"] > 100
    full = [{"step": s, "seconds": 1.0, "peak_rss_mb": 1.0} for s in ("load", "judge", "publish", "full run")]
    tables = by["spark check"]["tables"]
    assert f"{tables} of {tables} tables identical" in spark_path.side_by_side(full + rows)
