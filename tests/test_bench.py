"""Smoke test of the benchmark command, so that it cannot rot (no timing is asserted)."""

from bench.__main__ import bench, table


def test_bench_runs_every_step_and_reuses_its_cached_inbox(tmp_path):
    rows = bench("XS", 5, tmp_path)
    assert [r["step"] for r in rows] == ["generate", "load", "judge", "publish", "full run"]
    assert all(r["seconds"] > 0 and r["peak_rss_mb"] > 0 for r in rows)
    load = next(r for r in rows if r["step"] == "load")
    assert load["rows"] == next(r for r in rows if r["step"] == "full run")["rows"] > 1000
    again = bench("XS", 5, tmp_path)
    assert [r["step"] for r in again] == ["load", "judge", "publish", "full run"]  # the inbox was cached
    assert "full run" in table(again, "XS")
