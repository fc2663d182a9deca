"""A full build of every model in a Spark session, from the Parquet inputs (export.export_inputs).

The order, the models and their parameters are the DuckDB runner's (runner.discover,
runner.run_variables); each model's SQL is transpiled when the build reaches it
(transpile.to_spark). A model the runner makes a view is a temporary view here; a table is computed
when it is built, as DuckDB computes it then, and kept as a local checkpoint under a temporary view.

Only full builds: run_days is null (every day), as in a DuckDB build without a previous state, and
the incremental days queries are not read. A model's step after its build (the scorecard's
freezing, <name>.after.sql) runs as in DuckDB: its insert's rows are added to the state table's
view, which the models after it read and the judge writes out (judge.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import Settings

from .. import runner
from .export import parquet_path
from .transpile import macro_definitions, to_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class Built:
    """What became of one model: its Spark SQL (None: sqlglot could not write it), and the error that
    stopped it, by stage (transpile, run), or that of a model it reads (blocked)."""

    name: str
    spark_sql: str | None = None
    stage: str = "ok"  # ok | transpile | run | blocked
    error: str | None = None
    rows: int | None = None
    seconds: float = 0.0  # transpiling, planning and (for a table) computing it


def one_line(exc: Exception) -> str:
    """An exception's message on one line, without the JVM's stack."""
    text = " ".join(str(exc).split("\n\tat ")[0].split())
    return f"{type(exc).__name__}: {text}"


def register_inputs(spark: SparkSession, inputs: Path, tables: Iterable[str]) -> None:
    for table in tables:
        spark.read.parquet(str(parquet_path(inputs, table))).createOrReplaceTempView(table)


def keep(frame):
    """A model's rows computed now and kept without their lineage, as a DuckDB table is: a model
    reading it is planned over the stored rows, not over every model below it again. On a cluster
    (a checkpoint folder set) they are written there, and survive a lost executor; in a local
    session they stay in the executors' storage."""
    if frame.sparkSession.sparkContext.getCheckpointDir():
        return frame.checkpoint(eager=True)
    return frame.localCheckpoint(eager=True)


def run_after(spark: SparkSession, model: runner.Model, variables: dict, macros: dict) -> int:
    """A model's step after its build, an `insert into <state> select …`: the rows it selects are
    added to the state table's view, cast to its columns. Returns the rows added."""
    import sqlglot
    from pyspark.sql import functions as F

    insert = sqlglot.parse_one(model.after_sql, read="duckdb")
    if not isinstance(insert, sqlglot.exp.Insert):
        raise ValueError(f"{model.name}{runner.AFTER_SUFFIX}: only an insert … select is run on Spark")
    table = insert.this.name
    state = spark.table(table)
    added = spark.sql(to_spark(insert.expression.sql(dialect="duckdb"), variables, macros))
    added = added.select([F.col(f"`{a}`").cast(f.dataType).alias(f.name) for a, f in zip(added.columns, state.schema)])
    keep(state.unionAll(added)).createOrReplaceTempView(table)
    return added.count()


def build(spark: SparkSession, inputs: Path | None, as_of: dt.date, default_profile: str | None = None,
          settings: Settings | None = None, models: Iterable[str] | None = None,
          keep_going: bool = False, count: bool = False) -> list[Built]:
    """Every model (or `models` and what they read), in the runner's order, from the Parquet files in
    `inputs` (export.export_inputs), or, with inputs None, from the session's views of that name.

    keep_going: a model that fails is recorded and the build goes on, the models reading it marked
    blocked (to map what is left to port); otherwise the first failure is raised. count: each model
    is computed and counted when built, views too, so that a failure is found at its own model."""
    every = runner.discover()
    by_name = {m.name: m for m in every}
    needed = set(by_name) if models is None else set().union(*(runner.upstream_models(n, by_name) for n in models))
    chosen = [m for m in every if m.name in needed]
    read = set().union(*(runner.references(m.sql) for m in chosen)) - set(by_name)
    if inputs is not None:
        register_inputs(spark, inputs, sorted(t for t in read if parquet_path(inputs, t).exists()))
    variables = {**runner.run_variables(as_of, default_profile, settings), "run_days": None}
    macros = macro_definitions()
    built: list[Built] = []
    failed: set[str] = set()
    for model in chosen:
        result = Built(model.name)
        built.append(result)
        # the Spark UI and event log name each job by its model, so a build's time and spill can be
        # told model by model (bench/spark.py reads them)
        spark.sparkContext.setJobDescription(model.name)
        started = time.perf_counter()
        if blocked := sorted(model.deps & failed):
            result.stage, result.error = "blocked", f"reads {', '.join(blocked)}"
            failed.add(model.name)
            continue
        try:
            result.spark_sql = to_spark(model.sql, variables, macros, columns_of=lambda sql: spark.sql(sql).columns)
        except Exception as exc:
            result.stage, result.error = "transpile", one_line(exc)
        else:
            try:
                frame = spark.sql(result.spark_sql)
                if model.materialized == "table":
                    frame = keep(frame)
                frame.createOrReplaceTempView(model.name)
                if count or model.materialized == "table":
                    result.rows = frame.count()
                if model.after_sql:
                    run_after(spark, model, variables, macros)
            except Exception as exc:
                spark.catalog.dropTempView(model.name)
                result.stage, result.error = "run", one_line(exc)
        result.seconds = time.perf_counter() - started
        if result.stage != "ok":
            failed.add(model.name)
            if not keep_going:
                raise RuntimeError(f"{model.name}: {result.stage} failed: {result.error}")
    spark.sparkContext.setJobDescription(None)
    return built
