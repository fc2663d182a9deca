"""The map of the Spark port: every model built by DuckDB and by Spark from the same inbox, and for
each whether it transpiled, ran and gave DuckDB's rows.

    python -m orchestration.spark.survey --inbox sample/inbox --workdir /tmp/survey --as-of 2025-12-31

writes the table (Markdown) to stdout; docs/spark.md holds the last one. The workdir keeps the
loaded warehouse, the DuckDB build and the Parquet inputs, so a second run only rebuilds on Spark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from core.warehouse import connect

from .. import runner
from ..load import load_inbox
from .build import Built, build
from .compare import Comparison, compare, read_as_built
from .export import export_inputs, export_reference
from .session import spark_session


def prepare(inbox: Path, workdir: Path, as_of: dt.date, default_profile: str | None = None) -> tuple[Path, Path]:
    """The inbox loaded into workdir/loaded.duckdb, its inputs exported to workdir/inputs, and the
    DuckDB build of a copy, workdir/wh.duckdb. Made once: an existing workdir is reused."""
    loaded, judged, inputs = workdir / "loaded.duckdb", workdir / "wh.duckdb", workdir / "inputs"
    if not judged.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        with connect(loaded) as con:
            load_inbox(con, inbox, progress=False)
            export_inputs(con, inputs)
        export_reference(inputs)
        shutil.copyfile(loaded, judged)
        with connect(judged) as con:
            runner.build(con, as_of, default_profile)
    return inputs, judged


@dataclass
class Row:
    built: Built
    comparison: Comparison | None

    def cells(self) -> list[str]:
        stage = self.built.stage
        transpiled = "no" if stage == "transpile" else ("—" if stage == "blocked" else "yes")
        ran = "yes" if stage == "ok" else ("—" if stage in {"blocked", "transpile"} else "no")
        if self.comparison is None:
            same, note = "—", self.built.error or ""
        else:
            same = "yes" if self.comparison.identical else "no"
            note = "" if self.comparison.identical else self.comparison.summary()
        return [self.built.name, transpiled, ran, same, note.replace("|", "\\|")[:300]]


def survey(inbox: Path, workdir: Path, as_of: dt.date, default_profile: str | None = None,
           master: str = "local[2]") -> tuple[list[Row], float]:
    inputs, judged = prepare(inbox, workdir, as_of, default_profile)
    spark = spark_session(master)
    try:
        started = time.perf_counter()
        built = build(spark, inputs, as_of, default_profile, keep_going=True, count=True)
        seconds = time.perf_counter() - started
        with connect(judged, read_only=True) as con:
            read_as_built(con, as_of, default_profile)
            rows = [Row(b, compare(con, spark, b.name) if b.stage == "ok" else None) for b in built]
    finally:
        spark.stop()
    return rows, seconds


def markdown(rows: list[Row]) -> str:
    layer = {m.name: m.layer for m in runner.discover()}
    lines = ["| model | layer | transpiles | runs on Spark | identical | why not |", "|---|---|---|---|---|---|"]
    for row in rows:
        name, *rest = row.cells()
        lines.append("| " + " | ".join([f"`{name}`", layer[name], *rest]) + " |")
    counts = [sum(1 for r in rows if r.cells()[i] == "yes") for i in (1, 2, 3)]
    lines.append("")
    lines.append(f"Of {len(rows)} models: {counts[0]} transpile, {counts[1]} run on Spark, {counts[2]} identical.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    rows, seconds = survey(args.inbox, args.workdir, args.as_of, args.profile, args.master)
    print(markdown(rows))
    print(f"\nSpark build: {seconds:.0f} s on {args.master}.")


if __name__ == "__main__":
    main()
