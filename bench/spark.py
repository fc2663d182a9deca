"""The Spark path beside DuckDB (issue #26), on demand: `python -m bench --scale M --spark`.

Run by the bench after its DuckDB steps, on the warehouse its full run loaded and judged, each step
in its own process: `recwatch export-raw` to a raw store in the cache, `recwatch judge --engine
spark` on it, `recwatch publish --from` the marts it wrote, and the Spark snapshot checked row for
row against the DuckDB run's (`python -m bench.spark compare`, orchestration.spark.compare).

The judge's peak RSS is its whole process tree's (bench.__main__.TreePeak): the JVM doing the work
is a child of the python process. Spark's event log of the judge, with each job named by its model
(build.py), gives each model's task time, CPU time, spill and shuffle beside judged.json's wall
seconds and rows; with the rows each model reads, they are the per-row costs docs/spark-sizing.md
scales from.

    python -m bench.spark compare DUCKDB_SNAPSHOT SPARK_SNAPSHOT [WAREHOUSE]   # a JSON line
    python -m bench.spark costs .bench/results-M-1.json                        # per-model costs

Nothing here imports pyspark: the steps run recwatch's commands, and the comparison is DuckDB's.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb

PY = sys.executable
# the published tables the snapshot leaves out and a Spark build writes all the same (publish.py);
# the DuckDB warehouse holds them, so they are checked against it
LARGE_FACTS = ("fct_media_upload", "fct_media_retention")


def run(wh: Path, snapshot: Path, cache: Path, scale: str, seed: int, as_of, timed: Callable, *,
        master: str = "local[2]", driver_memory: str = "4g", partitions: int = 8) -> list[dict]:
    """The Spark steps on the loaded and judged warehouse `wh` (its snapshot `snapshot`), their rows
    for the results. `timed(argv, label, tree=, env=)` runs and measures one step."""
    store, out = cache / f"raw-{scale}-{seed}", cache / f"marts-{scale}-{seed}"
    events = cache / f"spark-events-{scale}-{seed}"
    spark_wh = cache / f"spark-{scale}-{seed}.duckdb"
    for folder in (store, out, events):
        shutil.rmtree(folder, ignore_errors=True)
    events.mkdir(parents=True)
    cli = [PY, "-m", "orchestration.cli"]
    rows = []

    secs, rss, _ = timed([*cli, "export-raw", "--warehouse", str(wh), "--to", str(store)], "spark export-raw")
    layout = store_layout(store)
    raw_rows = input_rows(store)
    rows.append({"step": "spark export-raw", "seconds": secs, "peak_rss_mb": rss, "rows": sum(raw_rows.values()),
                 "mb": sum(t["bytes"] for t in layout.values()) / 1e6,
                 "files": sum(t["files"] for t in layout.values()), "tables": layout})

    # the event log is asked for through pyspark's own submit arguments, so the judge runs as anyone
    # would run it, its settings untouched
    submit = (f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir={events.resolve().as_uri()} "
              "--conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false "
              "--conf spark.eventLog.logStageExecutorMetrics=true pyspark-shell")
    secs, rss, _ = timed([*cli, "judge", "--engine", "spark", "--raw", str(store), "--out", str(out),
                          "--master", master, "--as-of", str(as_of), "--driver-memory", driver_memory,
                          "--partitions", str(partitions)],
                         "spark judge", tree=True, env={**os.environ, "PYSPARK_SUBMIT_ARGS": submit})
    judged = json.loads((out / "judged.json").read_text(encoding="utf-8"))
    log = next(events.iterdir())
    by_job = event_metrics(log)
    models = model_costs(judged, by_job, raw_rows)
    totals = {k: sum(m[k] for m in by_job.values()) for k in ("task_seconds", "cpu_seconds", "gc_seconds", "spill_mb",
                                                               "disk_spill_mb", "shuffle_write_mb", "tasks")}
    rows.append({"step": "spark judge", "seconds": secs, "peak_rss_mb": rss, "rows": sum(raw_rows.values()),
                 "master": master, "driver_memory": driver_memory, "partitions": partitions,
                 "judged_seconds": judged["seconds"], "written_rows": sum(judged["tables"].values()),
                 "written_mb": folder_bytes(out) / 1e6, "jvm_heap_peak_mb": jvm_heap_peak_mb(log), **totals,
                 "models": models,
                 "writes": {d.removeprefix("write "): m for d, m in by_job.items() if d.startswith("write ")}})
    shutil.rmtree(store)  # as large as the inbox's Parquet; its layout is kept above

    secs, rss, _ = timed([*cli, "publish", "--from", str(out), "--warehouse", str(spark_wh)], "spark publish")
    rows.append({"step": "spark publish", "seconds": secs, "peak_rss_mb": rss,
                 "rows": sum(n for t, n in judged["tables"].items() if t not in LARGE_FACTS)})

    published = spark_wh.with_name(spark_wh.stem + ".published.duckdb")
    secs, rss, text = timed([PY, "-m", "bench.spark", "compare", str(snapshot), str(published), str(wh)], "spark check")
    result = json.loads(text.strip().splitlines()[-1])
    rows.append({"step": "spark check", "seconds": secs, "peak_rss_mb": rss, "rows": result["rows"],
                 "tables": result["tables"], "identical": result["identical"], "differences": result["differences"]})
    return rows


def store_layout(store: Path) -> dict[str, dict]:
    """Per table of the raw store, over its offices: its Parquet files, their bytes and its day folders."""
    layout: dict[str, dict] = defaultdict(lambda: {"files": 0, "bytes": 0, "days": 0})
    for office in store.glob("office=*"):
        for table in (p for p in office.iterdir() if p.is_dir()):
            files = list(table.rglob("*.parquet"))
            layout[table.name]["files"] += len(files)
            layout[table.name]["bytes"] += sum(f.stat().st_size for f in files)
            layout[table.name]["days"] += sum(1 for d in table.iterdir() if d.name.startswith("day="))
    return dict(sorted(layout.items()))


def input_rows(store: Path) -> dict[str, int]:
    """Rows per raw table the models read (raw_*, load_replacements), over the store's offices."""
    from orchestration.rawstore import manifests

    rows: dict[str, int] = defaultdict(int)
    for manifest in manifests(store).values():
        for table, n in manifest["rows"].items():
            if table.startswith("raw_") or table == "load_replacements":
                rows[table] += n
    return dict(rows)


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def event_metrics(log: Path) -> dict[str, dict]:
    """Per job description (a model's name, or `write <table>`), from a Spark event log: its tasks'
    run time, CPU time and GC time in seconds, the bytes spilled (in memory's size, and as written
    to disk) and the shuffle bytes written, in MB, and the number of tasks."""
    stage_job: dict[int, str] = {}
    found: dict[str, dict] = defaultdict(lambda: dict.fromkeys(
        ("task_seconds", "cpu_seconds", "gc_seconds", "spill_mb", "disk_spill_mb", "shuffle_write_mb", "tasks"), 0))
    with open(log, encoding="utf-8") as lines:
        for line in lines:
            # most of the log is query plans (at XS, 87 MB of it): only these two kinds are parsed
            if not line.startswith(('{"Event":"SparkListenerJobStart"', '{"Event":"SparkListenerTaskEnd"')):
                continue
            event = json.loads(line)
            kind = event["Event"]
            if kind == "SparkListenerJobStart":
                name = (event.get("Properties") or {}).get("spark.job.description") or "(other)"
                for stage in event["Stage IDs"]:
                    stage_job[stage] = name
            elif kind == "SparkListenerTaskEnd" and event.get("Task Metrics"):
                metrics, into = event["Task Metrics"], found[stage_job.get(event["Stage ID"], "(other)")]
                into["task_seconds"] += metrics["Executor Run Time"] / 1e3
                into["cpu_seconds"] += metrics["Executor CPU Time"] / 1e9
                into["gc_seconds"] += metrics["JVM GC Time"] / 1e3
                into["spill_mb"] += metrics["Memory Bytes Spilled"] / 1e6
                into["disk_spill_mb"] += metrics["Disk Bytes Spilled"] / 1e6
                into["shuffle_write_mb"] += metrics["Shuffle Write Metrics"]["Shuffle Bytes Written"] / 1e6
                into["tasks"] += 1
    return dict(found)


def jvm_heap_peak_mb(log: Path) -> float | None:
    """The largest JVM heap in use the event log saw (stage executor metrics), in MB."""
    peak = None
    with open(log, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('{"Event":"SparkListenerStageExecutorMetrics"'):
                metrics = json.loads(line).get("Executor Metrics") or {}
                if "JVMHeapMemory" in metrics:
                    peak = max(peak or 0, metrics["JVMHeapMemory"] / 2**20)
    return peak


def model_costs(judged: dict, by_job: dict[str, dict], raw_rows: dict[str, int]) -> list[dict]:
    """Each model as judged.json has it (stage, rows, wall seconds), with its tasks' metrics and the
    rows it reads: those of the tables it names, a view standing for the tables it reads in turn (a
    view is computed where it is read). A table named twice is read once here."""
    from orchestration import runner

    models = {m.name: m for m in runner.discover()}
    rows = {m["name"]: m["rows"] for m in judged["models"]} | raw_rows

    def leaves(name: str, seen: frozenset = frozenset()) -> set[str]:
        found = set()
        for ref in runner.references(models[name].sql) - seen:
            if ref in models and models[ref].materialized == "view":
                found |= leaves(ref, seen | {name})
            elif ref in rows:
                found.add(ref)
        return found

    empty = dict.fromkeys(("task_seconds", "cpu_seconds", "gc_seconds", "spill_mb", "disk_spill_mb", "shuffle_write_mb",
                           "tasks"), 0)
    return [{**m, "rows_read": sum(rows[t] or 0 for t in leaves(m["name"])), **by_job.get(m["name"], empty)}
            for m in judged["models"]]


def compare(duck: Path, spark: Path, warehouse: Path | None = None) -> dict:
    """The Spark snapshot against the DuckDB run's, table by table (every name the DuckDB snapshot
    has), and the large facts only a Spark build publishes against the DuckDB warehouse's."""
    from orchestration.spark.compare import compare_snapshots

    with duckdb.connect(str(duck), read_only=True) as con:
        names = sorted(r[0] for r in con.execute("select table_name from duckdb_tables() union all "
                                                 "select view_name from duckdb_views() where not internal").fetchall()
                       if r[0] != "published_partitions")
    found = compare_snapshots(str(duck), str(spark), names)
    if warehouse is not None:
        found |= compare_snapshots(str(warehouse), str(spark), list(LARGE_FACTS))
    return {"tables": len(found), "identical": sum(d.identical for d in found.values()),
            "rows": sum(d.rows_a for d in found.values()),
            "differences": {n: d.summary() for n, d in found.items() if not d.identical}}


def side_by_side(rows: list[dict]) -> str:
    """The DuckDB steps beside the Spark path's, and the models that took the Spark judge's time."""
    by = {r["step"]: r for r in rows}
    judge = by["spark judge"]

    def cell(name: str | None) -> str:
        r = by.get(name or "")
        return f"{r['seconds']:>9.1f}{r['peak_rss_mb']:>13,.0f}" if r else f"{'':>9}{'':>13}"

    lines = [(f"\nthe Spark path beside DuckDB ({judge['master']}, driver memory {judge['driver_memory']}, "
              f"{judge['partitions']} shuffle partitions; the Spark path starts from DuckDB's load)"),
             f"{'step':<12}{'DuckDB s':>9}{'peak RSS MB':>13}{'Spark s':>9}{'peak RSS MB':>13}"]
    for label, duck, spark in (("load", "load", None), ("export-raw", None, "spark export-raw"),
                               ("judge", "judge", "spark judge"), ("publish", "publish", "spark publish"),
                               ("check", None, "spark check")):
        lines.append(f"{label:<12}{cell(duck)}{cell(spark)}")
    spark_total = by["load"]["seconds"] + sum(by[s]["seconds"] for s in ("spark export-raw", "spark judge",
                                                                            "spark publish"))
    lines.append(f"{'to snapshot':<12}{by['full run']['seconds']:>9.1f}{by['full run']['peak_rss_mb']:>13,.0f}"
                 f"{spark_total:>9.1f}{max(by[s]['peak_rss_mb'] for s in ('load', 'spark judge')):>13,.0f}"
                 "  (DuckDB: the full run; Spark: DuckDB's load, export-raw, judge, publish)")
    lines.append(f"\nSpark judge: {judge['judged_seconds']:.1f} s in the build itself (the rest: the JVM's start "
                 f"and stop), task time {judge['task_seconds']:,.0f} s (CPU {judge['cpu_seconds']:,.0f} s, GC "
                 f"{judge['gc_seconds']:,.0f} s) in {judge['tasks']:,} tasks, spilled {judge['spill_mb']:,.0f} MB "
                 f"({judge['disk_spill_mb']:,.0f} MB on disk), JVM heap peak {judge['jvm_heap_peak_mb'] or 0:,.0f} MB")
    check = by["spark check"]
    lines.append(f"check: {check['identical']} of {check['tables']} tables identical ({check['rows']:,} rows)"
                 + "".join(f"\n  {n}: {text}" for n, text in check["differences"].items()))
    lines.append(costs(judge["models"]))
    return "\n".join(lines)


def costs(models: list[dict], top: int = 12) -> str:
    """The models that took the most wall time: rows read, task time, µs per row read (task time)."""
    lines = [f"\n{'model':<34}{'seconds':>8}{'task s':>8}{'rows read':>13}{'rows':>12}{'µs/row':>8}{'spill MB':>9}"]
    for m in sorted(models, key=lambda m: -m["seconds"])[:top]:
        per_row = m["task_seconds"] / m["rows_read"] * 1e6 if m["rows_read"] else 0
        lines.append(f"{m['name']:<34}{m['seconds']:>8.1f}{m['task_seconds']:>8.1f}{m['rows_read']:>13,}"
                     f"{m['rows'] if m['rows'] is not None else '':>12}{per_row:>8.2f}{m['spill_mb']:>9,.0f}")
    return "\n".join(lines)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind == "compare" and len(args) in (2, 3):
        print(json.dumps(compare(*(Path(a) for a in args))))
    elif kind == "costs" and len(args) == 1:
        results = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        print(costs(next(r for r in results["steps"] if r["step"] == "spark judge")["models"], top=100))
    else:
        raise SystemExit(__doc__)
