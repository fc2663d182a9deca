"""Measure each step of recwatch on a generated inbox: wall time, peak RSS, rows per second.

    python -m bench --scale S|M|HV|L [--seed 1] [--cache .bench] [--repeat 20] [--spark [--spark-memory 4g]]

Inboxes are cached by scale and seed. Each step runs in its own process, so its peak RSS is its
own. Steps: generate, the full `recwatch run` on a fresh warehouse (and its load, judge and
publish phases as the run reports them, with its peak RSS so far at the end of each), the engine
floor (bench/floor.sql on Parquet copies of the loaded inputs), the load floor (every inbox file
copied into a DuckDB file as it is, with nothing checked), the appraisal workbook, the year's
rectification notices (rows: the findings they list), the dashboard's callbacks through Dash's HTTP layer, and a one-day incremental run on the loaded
year. With --spark, before that last run, the Spark path on the same loaded warehouse (bench/spark.py:
export-raw, judge on Spark, publish --from, its snapshot checked against DuckDB's), printed beside
DuckDB's steps. Results are kept as results-<scale>-<seed>.json in the cache, which is how scale L's
cost per row is compared with scale M's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from bench import floor, incremental
from orchestration.cli import parse_phases

PY = sys.executable
# Targets on a 2-core, 24 GB machine. Issue #7 set the seconds and the RSS of each step of the
# product (not of generating data, nor of the floors); "linear" bounds scale L's full-run seconds per
# million rows against scale M's. Issue #27 set the ratios, because times on shared machines drift by
# 30% from day to day while ratios from one run do not: the full run over the two floors (load floor
# plus engine floor), the one-day run as a share of the full run, and at HV (an office's first year,
# about 0.6 findings per recording) the judge over the engine floor.
TARGETS = {
    "M": {"full run": 90, "floors ratio": 1.6, "one-day share": 0.08, "workbook": 20, "notices": 20,
          "rss_mb": 4 * 1024, "p95_ms": 300},
    "L": {"full run": 20 * 60, "floors ratio": 1.4, "one-day share": 0.05, "rss_mb": 8 * 1024, "linear": 1.5,
          "p95_ms": 300},
    "HV": {"judge ratio": 2.0},
}
# the generator's discipline at each scale: HV is the shape of issue #27, poor discipline
DISCIPLINE = {"HV": "poor"}
PRODUCT_STEPS = ("load", "judge", "publish", "full run", "one-day incremental", "workbook", "notices", "dashboard")


def measure(argv: list[str], label: str, log: Path, tree: bool = False,
            env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Seconds, peak RSS in MB and the output of one child process. On a terminal the
    child shares it, so its own progress bars show; otherwise its stderr goes to `log` and stays
    there: the run's timestamped progress lines say which file, model or table took the time.

    The peak RSS is the child's own (wait4), which counts no process it starts and does not wait
    for. tree: also the peak of the summed RSS of the child and every process below it, sampled
    (TreePeak), and the larger of the two is reported: a Spark step's JVM is such a process."""
    print(f"{label} …", file=sys.stderr, flush=True)
    reset_own_peak()
    start = time.perf_counter()
    with open(log, "w+", encoding="utf-8") as err:
        # a file, not a pipe: a chatty child must not block on a pipe nobody reads
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                                stderr=None if sys.stderr.isatty() else err, env=env)
        sampler = TreePeak(proc.pid) if tree else None
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise SystemExit(f"step failed ({proc.returncode}): {' '.join(argv)}\n{err.read()[-3000:]}")
    secs, rss = time.perf_counter() - start, usage.ru_maxrss / 1024
    if sampler:
        rss = max(rss, sampler.stop())
    print(f"{label}: {secs:.1f} s, peak RSS {rss:,.0f} MB", file=sys.stderr, flush=True)
    return secs, rss, out


def reset_own_peak() -> None:
    """Lower this process's peak RSS to its current RSS (Linux 4.0 and later; elsewhere nothing).
    subprocess starts a child with vfork, and Linux starts the child's peak at the parent's (exec
    keeps the high-water mark of the memory it leaves): without this, every step after the bench's
    own Parquet copies for the floor reported at least the 0.7 GB those took in the bench's process."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        pass


class TreePeak(threading.Thread):
    """The peak of the summed resident memory of a process and all its descendants, sampled from
    Linux's /proc every `interval` seconds (0 elsewhere). wait4's ru_maxrss cannot give it: it is the
    largest of single processes, not their sum, and only of children waited for. pyspark starts its
    JVM (the driver, and with local[N] the executors) as a child it never waits for: the JVM exits
    after python, when its stdin closes, so its memory reaches no rusage of ours. Sampling misses a
    peak shorter than the interval; a JVM's heap grows and stays, so that matters little."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.done = threading.Event()
        self.start()

    def run(self) -> None:
        page_kb = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
        while not self.done.wait(self.interval):
            self.peak_kb = max(self.peak_kb, tree_resident_pages(self.pid) * page_kb)

    def stop(self) -> float:
        """The peak in MB."""
        self.done.set()
        self.join()
        return self.peak_kb / 1024


def tree_resident_pages(pid: int) -> int:
    """The resident pages of a process and every process below it, from /proc (0 where there is none).
    A child whose memory counters are its parent's, to the page, shares its parent's memory: it was
    started with vfork and has not yet run its program (the JVM starts chmod and ps so, through
    jspawnhelper, as Hadoop's local file system sets permissions), and is counted once, as its parent."""
    children: dict[int, list[int]] = {}
    if os.path.isdir("/proc"):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as f:
                        # the parent's pid follows the state, after the command's closing parenthesis
                        ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):  # gone meanwhile
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [(pid, None)]
    while todo:
        process, parents = todo.pop()
        counters = memory_counters(process)
        if counters and counters != parents:
            total += counters[1]
        todo += [(child, counters) for child in children.get(process, [])]
    return total


def memory_counters(pid: int) -> tuple[int, ...] | None:
    """/proc/<pid>/statm: size, resident, shared, text, lib, data, dirty, in pages."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return tuple(int(n) for n in f.read().split())
    except (OSError, ValueError):
        return None


def last_line(out: str) -> str:
    return (out.strip().splitlines() or [""])[-1]


def cached_inbox(scale: str, seed: int, cache: Path, year: int) -> tuple[Path, dict | None]:
    """The inbox for this scale and seed, and the generate step's row when it had to be made."""
    inbox = cache / f"inbox-{scale}-{seed}"
    if (inbox / "_planted.json").exists():
        return inbox, None
    shutil.rmtree(inbox, ignore_errors=True)
    secs, rss, _ = measure([PY, "-m", "orchestration.cli", "generate", "--out", str(inbox),
                            "--scale", scale, "--seed", str(seed), "--year", str(year),
                            "--discipline", DISCIPLINE.get(scale, "usual")], "generate",
                            cache / f"log-{scale}-{seed}-generate.txt")
    return inbox, {"step": "generate", "seconds": secs, "peak_rss_mb": rss}


def remove_warehouse(path: Path) -> None:
    """The warehouse file, its write-ahead log and its published snapshot."""
    for p in path.parent.glob(path.stem + ".*"):
        p.unlink()


def bench(scale: str, seed: int, cache: Path, year: int = 2025, repeat: int = 20,
          spark: dict | None = None) -> list[dict]:
    """Every step; with `spark` (bench.spark.run's settings: master, driver_memory, partitions) the
    Spark path's too, on the loaded warehouse before the one-day run moves it on."""
    cache.mkdir(parents=True, exist_ok=True)
    inbox, generated = cached_inbox(scale, seed, cache, year)
    rows: list[dict] = [generated] if generated else []
    delivered = sum(json.loads((inbox / "_planted.json").read_text())["counts"]["rows_delivered"].values())
    wh = cache / f"bench-{scale}-{seed}.duckdb"
    as_of = dt.date(year, 12, 31)

    def timed(argv: list[str], label: str, **how) -> tuple[float, float, str]:
        return measure(argv, label, cache / f"log-{scale}-{seed}-{label.replace(' ', '-')}.txt", **how)

    remove_warehouse(wh)
    # the office's own inbox, where the one-day run's files are added to the year's, as an export adds
    # them: the cached inbox stays as generated
    office = cache / f"inbox-{scale}-{seed}-office"
    shutil.rmtree(office, ignore_errors=True)
    incremental.link_inbox(inbox, office)
    secs, rss, out = timed([PY, "-m", "orchestration.cli", "run", "--inbox", str(office),
                              "--warehouse", str(wh), "--as-of", str(as_of)], "full run")
    # the run's own phases (its peak memory so far at the end of each), rather than running each
    # again in a process of its own: at scale L a second run would take another half hour
    phases = parse_phases(out)
    counts = {"load": delivered, "judge": judged_rows(wh), "publish": published_rows(wh)}
    for name in ("load", "judge", "publish"):
        rows.append({"step": name, "seconds": phases[name][0], "peak_rss_mb": phases[name][1], "rows": counts[name]})
    rows.append({"step": "full run", "seconds": secs, "peak_rss_mb": rss, "rows": delivered})

    print("Parquet copies for the engine floor …", file=sys.stderr, flush=True)
    parquet = floor.export(wh, cache / f"parquet-{scale}-{seed}")
    _, rss, out = timed([PY, "-m", "bench.floor", "judge", str(parquet), str(as_of)], "engine floor")
    shutil.rmtree(parquet)  # as large as a third of the inbox at scale L, and quick to make again
    result = json.loads(last_line(out))
    # the floor's own clock covers the SQL alone, not starting Python
    rows.append({"step": "engine floor", "seconds": result["seconds"], "peak_rss_mb": rss,
                 "rows": result["rows_in"], "violations": result["violations"],
                 "recwatch_violations": violations(wh, result["violations"])})

    scratch = cache / f"load-floor-{scale}-{seed}.duckdb"
    _, rss, out = timed([PY, "-m", "bench.floor", "load", str(inbox), str(scratch)], "load floor")
    remove_warehouse(scratch)
    result = json.loads(last_line(out))
    rows.append({"step": "load floor", "seconds": result["seconds"], "peak_rss_mb": rss, "rows": result["rows"]})

    book = cache / f"appraisal-{scale}-{seed}.xlsx"
    secs, rss, _ = timed([PY, "-m", "orchestration.cli", "report", "--warehouse", str(wh),
                            "--period", str(year), "-o", str(book)], "workbook")
    rows.append({"step": "workbook", "seconds": secs, "peak_rss_mb": rss, "mb": book.stat().st_size / 1e6})

    notices = cache / f"notices-{scale}-{seed}"
    shutil.rmtree(notices, ignore_errors=True)
    secs, rss, _ = timed([PY, "-m", "orchestration.cli", "notices", "--warehouse", str(wh), "--period", str(year),
                          "-o", str(notices)], "notices")
    written = sorted(notices.glob("*.docx"))
    findings = query(wh.with_name(wh.stem + ".published.duckdb"), "select count(*) from mart_findings where "
                     "occurred_at >= ? and occurred_at < ?", [dt.date(year, 1, 1), dt.date(year + 1, 1, 1)])[0][0]
    rows.append({"step": "notices", "seconds": secs, "peak_rss_mb": rss, "rows": findings, "notices": len(written),
                 "mb": sum(p.stat().st_size for p in written) / 1e6})

    secs, rss, out = timed([PY, "-m", "bench.dashboard", str(wh.with_name(wh.stem + ".published.duckdb")),
                              "--repeat", str(repeat)], "dashboard")
    result = json.loads(last_line(out))
    rows.append({"step": "dashboard", "seconds": secs, "peak_rss_mb": rss, "rows": result["requests"],
                 "pages": result["pages"]})

    if spark is not None:
        from bench import spark as spark_path  # it imports no pyspark, but nothing of it is needed without --spark

        rows += spark_path.run(wh, wh.with_name(wh.stem + ".published.duckdb"), cache, scale, seed, as_of, timed,
                               **spark)

    # last, on the loaded year itself: a copy of a province's warehouse would not fit many disks
    print("the next day's files …", file=sys.stderr, flush=True)
    day, new_rows = incremental.write_day(wh, office)
    secs, rss, _ = timed([PY, "-m", "orchestration.cli", "run", "--inbox", str(office),
                            "--warehouse", str(wh), "--as-of", str(day)], "one-day incremental")
    rows.append({"step": "one-day incremental", "seconds": secs, "peak_rss_mb": rss, "rows": new_rows})
    shutil.rmtree(office)

    for row in rows:
        if row.get("rows"):
            row["rows_per_second"] = row["rows"] / row["seconds"]
    (cache / f"results-{scale}-{seed}.json").write_text(json.dumps(
        {"scale": scale, "seed": seed, "delivered": delivered, "load_average": os.getloadavg()[0],
         "steps": rows}, indent=1, default=str))
    return rows


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query on a finished warehouse or snapshot, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def judged_rows(wh: Path) -> int:
    """Rows the judge step wrote: every model table."""
    return query(wh, "select coalesce(sum(estimated_size), 0) from duckdb_tables() "
                     "where regexp_matches(table_name, '^(int|fct|mart)_')")[0][0]


def violations(wh: Path, rules) -> dict[str, int]:
    """recwatch's findings of the rules the floor judges, to show both found the same."""
    return dict(query(wh, "select rule_id, count(*) from fct_violations where list_contains(?, rule_id) "
                          "group by rule_id order by rule_id", [list(rules)]))


def published_rows(wh: Path) -> int:
    return query(wh.with_name(wh.stem + ".published.duckdb"), "select sum(estimated_size) from duckdb_tables()")[0][0]


def step(rows: list[dict], name: str) -> dict:
    return next(r for r in rows if r["step"] == name)


def checks(rows: list[dict], scale: str, previous: dict | None = None) -> dict[str, list[str]]:
    """Per step, the issue's targets that apply at this scale, each marked met (✓) or not (✗)."""
    target = TARGETS.get(scale, {})
    out: dict[str, list[str]] = {r["step"]: [] for r in rows}

    def mark(name: str, text: str, ok: bool) -> None:
        out[name].append(f"{text} {'✓' if ok else '✗'}")

    for name in ("full run", "one-day incremental", "workbook", "notices"):
        if name in target:
            mark(name, f"≤ {target[name]:,} s", step(rows, name)["seconds"] <= target[name])
    if "floors ratio" in target:
        floors = step(rows, "load floor")["seconds"] + step(rows, "engine floor")["seconds"]
        ratio = step(rows, "full run")["seconds"] / floors
        mark("full run", f"≤ {target['floors ratio']:g}× floors ({ratio:.2f}×)", ratio <= target["floors ratio"])
    if "one-day share" in target:
        share = step(rows, "one-day incremental")["seconds"] / step(rows, "full run")["seconds"]
        mark("one-day incremental", f"≤ {target['one-day share']:.0%} of full run ({share:.1%})",
             share <= target["one-day share"])
    if "judge ratio" in target:
        ratio = step(rows, "judge")["seconds"] / step(rows, "engine floor")["seconds"]
        mark("judge", f"≤ {target['judge ratio']:g}× engine floor ({ratio:.2f}×)", ratio <= target["judge ratio"])
    if "rss_mb" in target:
        for r in rows:
            if r["step"] in PRODUCT_STEPS:
                mark(r["step"], f"RSS ≤ {target['rss_mb'] / 1024:g} GB", r["peak_rss_mb"] <= target["rss_mb"])
    if "p95_ms" in target:
        pages = step(rows, "dashboard")["pages"]
        mark("dashboard", f"p95 ≤ {target['p95_ms']} ms", all(p["p95_ms"] <= target["p95_ms"] for p in pages))
    if "linear" in target and previous:
        per_m = step(rows, "full run")["seconds"] / step(rows, "full run")["rows"]
        was = step(previous["steps"], "full run")
        ratio = per_m / (was["seconds"] / was["rows"])
        mark("full run", f"s/row ≤ {target['linear']:g}× scale M's ({ratio:.2f}×)", ratio <= target["linear"])
    return out


def table(rows: list[dict], scale: str, previous: dict | None = None) -> str:
    marks = checks(rows, scale, previous)
    lines = [f"scale {scale}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end)",
             f"{'step':<21}{'seconds':>9}{'peak RSS MB':>13}{'rows':>13}{'rows/s':>12}  target"]
    for r in rows:
        rows_text = f"{r['rows']:>13,}" if r.get("rows") is not None else f"{'':>13}"
        rate = f"{r['rows_per_second']:>12,.0f}" if r.get("rows_per_second") else f"{'':>12}"
        lines.append(f"{r['step']:<21}{r['seconds']:>9.1f}{r['peak_rss_mb']:>13,.0f}{rows_text}{rate}  "
                     + "  ".join(marks[r["step"]]))
    by_name = {r["step"]: r for r in rows}
    if "engine floor" in by_name:
        base = by_name["engine floor"]["seconds"]
        lines.append(f"\nrecwatch over the engine floor ({base:.1f} s of plain DuckDB SQL on Parquet): "
                     f"full run {by_name['full run']['seconds'] / base:.1f}×, judge {by_name['judge']['seconds'] / base:.1f}×")
    if "load floor" in by_name and "engine floor" in by_name:
        copy = by_name["load floor"]["seconds"]
        both = copy + by_name["engine floor"]["seconds"]
        lines.append(f"recwatch over the load floor ({copy:.1f} s to copy the inbox into a DuckDB file unchecked): "
                     f"load {by_name['load']['seconds'] / copy:.1f}×; the two floors together are "
                     f"{both / base:.1f}× the engine floor, and the full run is {by_name['full run']['seconds'] / both:.1f}× them")
    if "engine floor" in by_name:
        floor_found, found = by_name["engine floor"]["violations"], by_name["engine floor"]["recwatch_violations"]
        lines.append(f"violations of the rules the floor judges: recwatch {sum(found.values()):,}, the floor "
                     f"{sum(floor_found.values()):,}" + ("" if found == floor_found else " (they differ by rule)"))
    if "dashboard" in by_name:
        p95 = TARGETS.get(scale, {}).get("p95_ms")
        lines.append(f"\n{'dashboard page':<16}{'callback':<28}{'requests':>9}{'median ms':>10}{'p95 ms':>8}"
                     f"{'max ms':>8}{'warm ms':>9}{'layout ms':>10}  target (p95 of distinct requests)")
        for p in by_name["dashboard"]["pages"]:
            mark = f"p95 ≤ {p95} ms {'✓' if p['p95_ms'] <= p95 else '✗'}" if p95 else ""
            lines.append(f"{p['page']:<16}{p['callback']:<28}{p['requests']:>9}{p['median_ms']:>10.0f}"
                         f"{p['p95_ms']:>8.0f}{p['max_ms']:>8.0f}{p['warm_median_ms']:>9.1f}"
                         f"{p['layout_median_ms']:>10.1f}  {mark}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="S", choices=["XS", "S", "M", "HV", "L"],
                        help="HV: M's office with twice its cases in its first year (poor discipline)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path(".bench"))
    parser.add_argument("--repeat", type=int, default=20, help="distinct (and repeated) requests per dashboard page")
    parser.add_argument("--spark", action="store_true", help="also the Spark path (the extra spark and Java 17+)")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-memory", default="4g", help="the Spark driver's memory")
    parser.add_argument("--spark-partitions", type=int, default=8, help="Spark's shuffle partitions")
    args = parser.parse_args()
    spark = ({"master": args.spark_master, "driver_memory": args.spark_memory, "partitions": args.spark_partitions}
             if args.spark else None)
    rows = bench(args.scale, args.seed, args.cache, repeat=args.repeat, spark=spark)
    earlier = args.cache / f"results-M-{args.seed}.json"
    previous = json.loads(earlier.read_text()) if args.scale == "L" and earlier.exists() else None
    print(table(rows, args.scale, previous))
    if spark:
        from bench.spark import side_by_side

        print(side_by_side(rows))


if __name__ == "__main__":
    main()
