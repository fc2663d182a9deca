"""Where the judge's time goes: every model of a full build timed on its own, and DuckDB's profile
of the slowest (EXPLAIN ANALYZE's operator tree, as JSON) written beside the timings.

    python -m bench.models WAREHOUSE [--as-of 2025-12-31] [--profile N] [--out DIR]

The build runs as `recwatch run` runs it (the runner's parameters, macros and order) on a copy of a
loaded warehouse, so the warehouse measured is left as it was. Every model is rebuilt whole, as in a
full run. With --profile N, the N slowest models are built again with DuckDB's profiler on, and each
one's operators are written to DIR/<model>.json and summed by operator kind in the printout: what a
change has to shrink, before it is made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from core.warehouse import connect
from orchestration import runner


def rolled_back_build(con, as_of: dt.date, names: set[str] | None = None) -> Iterator[runner.Model]:
    """The models of a full build (those `names` need, if given), in the runner's order, parameters
    and transaction, each yielded to be built whole (its partition state cleared, as in the first
    build of a year); rolled back after, so the copy is measured, not kept."""
    runner.set_parameters(con, as_of)
    every = runner.discover()
    if names is not None:
        by_name = {m.name: m for m in every}
        needed = set().union(*(runner.upstream_models(n, by_name) for n in names))
        every = [m for m in every if m.name in needed]
    con.execute("begin transaction")
    try:
        runner.build_reference_tables(con)
        for model in every:
            if model.partition:
                con.execute("delete from model_partitions where model = ?", [model.name])
            yield model
    finally:
        con.execute("rollback")


def timed_build(con, as_of: dt.date) -> list[tuple[str, float, int | None]]:
    """Each model's seconds and rows in a full build."""
    by_name = {m.name: m for m in runner.discover()}
    out = []
    for model in rolled_back_build(con, as_of):
        start = time.perf_counter()
        rows = runner.build_model(con, model, models=by_name)
        out.append((model.name, time.perf_counter() - start, rows))
    return out


def operators(node: dict) -> Counter:
    """Seconds per operator kind in a profile tree (each node's own `timing`)."""
    seconds = Counter({node.get("type", "?"): node.get("timing", 0.0)})
    for child in node.get("children", []):
        seconds.update(operators(child))
    return seconds


def profile(con, as_of: dt.date, names: list[str], out: Path) -> dict[str, Counter]:
    """Each named model's statement profiled (a whole build of it), in one rolled-back build of
    everything it needs."""
    by_name = {m.name: m for m in runner.discover()}
    result = {}
    for model in rolled_back_build(con, as_of, set(names)):
        if model.name not in names:
            runner.build_model(con, model, models=by_name)
            continue
        path = out / f"{model.name}.json"
        con.execute("set variable run_days = null::date[]")  # every day
        con.execute(f"drop {model.materialized} if exists {model.name}")
        con.execute("pragma enable_profiling = 'json'")
        con.execute(f"pragma profiling_output = '{path}'")
        con.execute(f"create {model.materialized} {model.name} as {model.sql}")
        con.execute("pragma disable_profiling")
        tree = json.loads(path.read_text())
        result[model.name] = sum((operators(node) for node in tree.get("operator", [])), Counter())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.models", description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--profile", type=int, default=0, help="profile the N slowest models")
    parser.add_argument("--out", type=Path, default=Path(".bench/profiles"))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    copy = args.out / "copy.duckdb"
    shutil.copyfile(args.warehouse, copy)
    try:
        con = connect(copy)
        try:
            times = timed_build(con, args.as_of)
            total = sum(t for _, t, _ in times)
            print(f"judge: {total:.1f} s over {len(times)} models")
            for name, secs, rows in sorted(times, key=lambda r: -r[1])[:args.top]:
                print(f"{secs:8.2f} s {100 * secs / total:5.1f}%  {name:<42}{'' if rows is None else f'{rows:>12,}'}")
            (args.out / "models.json").write_text(json.dumps(times, indent=1))
            if args.profile:
                slowest = [n for n, _, _ in sorted(times, key=lambda r: -r[1])[:args.profile]]
                for name, seconds in profile(con, args.as_of, slowest, args.out).items():
                    parts = ", ".join(f"{op} {s:.2f}" for op, s in seconds.most_common(6))
                    print(f"{name}: {parts}", file=sys.stdout)
        finally:
            con.close()
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
