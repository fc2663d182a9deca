"""A full build of every model in a Spark session, from the Parquet inputs (export.export_inputs).

The order, the models and their parameters are the DuckDB runner's (runner.discover,
runner.run_variables); each model's SQL is transpiled when the build reaches it
(transpile.to_spark). A model the runner makes a view is a temporary view here; a table is computed
when it is built, as DuckDB computes it then, and kept as a local checkpoint under a temporary view.

Only full builds: run_days is null (every day), as in a DuckDB build without a previous state, and
the incremental days queries are not read. A model's step after its build (the scorecard's
freezing, <name>.after.sql) is not run: it writes the warehouse's state, which a Spark build does
not hold yet (docs/spark.md).
"""

from __future__ import annotations

import datetime as dt
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


def one_line(exc: Exception) -> str:
    """An exception's message on one line, without the JVM's stack."""
    text = " ".join(str(exc).split("\n\tat ")[0].split())
    return f"{type(exc).__name__}: {text}"


def register_inputs(spark: SparkSession, inputs: Path, tables: Iterable[str]) -> None:
    for table in tables:
        spark.read.parquet(str(parquet_path(inputs, table))).createOrReplaceTempView(table)


def build(spark: SparkSession, inputs: Path, as_of: dt.date, default_profile: str | None = None,
          settings: Settings | None = None, models: Iterable[str] | None = None,
          keep_going: bool = False, count: bool = False) -> list[Built]:
    """Every model (or `models` and what they read), in the runner's order.

    keep_going: a model that fails is recorded and the build goes on, the models reading it marked
    blocked (to map what is left to port); otherwise the first failure is raised. count: each model
    is computed and counted when built, views too, so that a failure is found at its own model."""
    every = runner.discover()
    by_name = {m.name: m for m in every}
    needed = set(by_name) if models is None else set().union(*(runner.upstream_models(n, by_name) for n in models))
    chosen = [m for m in every if m.name in needed]
    read = set().union(*(runner.references(m.sql) for m in chosen)) - set(by_name)
    register_inputs(spark, inputs, sorted(t for t in read if parquet_path(inputs, t).exists()))
    variables = {**runner.run_variables(as_of, default_profile, settings), "run_days": None}
    macros = macro_definitions()
    built: list[Built] = []
    failed: set[str] = set()
    for model in chosen:
        result = Built(model.name)
        built.append(result)
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
                    # computed now and kept without its lineage, as a DuckDB table is: a model reading
                    # it is planned over the stored rows, not over every model below it again
                    frame = frame.localCheckpoint(eager=True)
                frame.createOrReplaceTempView(model.name)
                if count or model.materialized == "table":
                    result.rows = frame.count()
            except Exception as exc:
                spark.catalog.dropTempView(model.name)
                result.stage, result.error = "run", one_line(exc)
        if result.stage != "ok":
            failed.add(model.name)
            if not keep_going:
                raise RuntimeError(f"{model.name}: {result.stage} failed: {result.error}")
    return built
