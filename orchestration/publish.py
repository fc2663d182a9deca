"""Publish a read-only snapshot of the marts for the dashboard and the workbook.

DuckDB holds an exclusive lock on a file open for writing, so readers never open the warehouse the
ETL writes: they open the snapshot, which is written to a temporary file beside it and swapped in
with an atomic rename once complete.

After a daily build the snapshot is not written anew: a copy of the last one gets the days the
partitioned models recomputed and the quarantined rows of the new batches, and the other tables
whole. The snapshot keeps which build of each partitioned model it holds (PUBLISHED_STATE) so that
it is updated only from the build it was published from.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from core.progress import steps
from core.sql import lit

from . import runner

# What readers need: the marts and facts, the reference tables they are labelled with, and the
# load records shown on the data-quality page and the workbook cover.
PUBLISHED_PREFIXES = ("fct_", "mart_", "dim_", "rules_")
PUBLISHED_TABLES = ("labels", "load_batches", "load_files", "quarantine", "int_units", "int_run_parameters",
                    "stg_units", "stg_cases", "appraisal_frozen_scores")
# Facts of one row per recording are read by no page or sheet: late uploads reach them as violations,
# with their details, and the retention page reads a count per unit and status. Copying the two was
# two thirds of publishing (80 M rows at a province's scale). They stay in the warehouse, with every
# other table of the contract, for SQL and outside checks.
NOT_PUBLISHED = ("fct_media_upload", "fct_media_retention")


def published_names(present: list[str], large_facts: bool = False) -> tuple[list[str], list[str]]:
    """Of the tables and views `present` in a build, those the snapshot copies, and those it makes
    views again (sorted). large_facts: also the facts the snapshot leaves out (NOT_PUBLISHED), which a
    Spark build writes beside the others for `publish --from` to read in place."""
    models = {m.name: m for m in runner.discover()}
    names = [t for t in sorted(present)
             if (t.startswith(PUBLISHED_PREFIXES) or t in PUBLISHED_TABLES) and t not in NOT_PUBLISHED]
    # a published view whose inputs are all published stays a view, over the snapshot's own copies of
    # them: it costs no copy (mart_findings names every finding); a view of an unpublished table (a
    # fact that shows an intermediate model) is copied as a table
    views = [n for n in names if n in models and models[n].materialized == "view"
             and n.startswith(PUBLISHED_PREFIXES) and runner.references(models[n].sql) & set(present) <= set(names)]
    copied = [n for n in names if n not in views]
    if large_facts:
        copied += [t for t in NOT_PUBLISHED if t in present]
    return copied, views


def snapshot_path(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.stem + ".published.duckdb")


PUBLISHED_STATE = "published_partitions"
# what a Spark build (spark/judge.py) wrote beside its marts: publishing them needs DuckDB alone
JUDGED = "judged.json"


def publish(con: duckdb.DuckDBPyConnection, warehouse: str | Path, progress: bool = False) -> Path:
    """Write the published tables from the open warehouse into a new snapshot and swap it in."""
    target = snapshot_path(warehouse)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'main' order by table_name").fetchall()]
    models = {m.name: m for m in runner.discover()}
    names, views = published_names(tables)
    fixed = fixed_models(names, models)
    changes = {}
    if target.exists():
        con.execute(f"attach {lit(target)} as snapshot (read_only)")
        try:
            changes = updates(con, names, models, fixed)
        finally:
            con.execute("detach snapshot")
    if changes:
        shutil.copyfile(target, tmp)
    con.execute(f"attach {lit(tmp)} as snapshot")
    try:
        if changes:  # tables published before and no longer
            for (gone,) in con.execute("select table_name from duckdb_tables() where database_name = 'snapshot' "
                                       "and table_name <> ?", [PUBLISHED_STATE]).fetchall():
                if gone not in names:
                    con.execute(f"drop table snapshot.{gone}")
        for name in steps(names, "publish", "table", enabled=progress):
            if changes.get(name) == UNCHANGED:
                continue
            if name in changes:
                con.execute(f"delete from snapshot.{name} where {changes[name]}")
                con.execute(f"insert into snapshot.{name} select * from main.{name} where {changes[name]}")
            else:
                con.execute(f"create or replace table snapshot.{name} as select * from main.{name}")
        for name in views:
            con.execute(f"create or replace view snapshot.{name} as {models[name].sql}")
        con.execute(f"create or replace table snapshot.{PUBLISHED_STATE} as "
                    "select model, fingerprint, as_of, batch_id from main.model_partitions")
        batch = con.execute("select coalesce(max(batch_id), 0) from load_batches").fetchall()[0][0]
        for name, upstream in fixed.items():
            con.execute(f"insert into snapshot.{PUBLISHED_STATE} values (?, ?, null, ?)",
                        [name, upstream.fingerprint, batch])
    finally:
        con.execute("detach snapshot")
    os.replace(tmp, target)
    return target


UNCHANGED = "false"  # no row changes


def fixed_models(names: list[str], models: dict[str, runner.Model]) -> dict[str, runner.Upstream]:
    """The published models that read no run parameter, all the way down (the staging copies of
    cases and units): the same as long as their SQL, their rule tables and their sources are."""
    return {name: runner.Upstream.of(models[name], models) for name in names if name in models and not any(
        "getvariable(" in runner.COMMENT.sub("", models[n].sql) for n in runner.upstream_models(name, models))}


def updates(con: duckdb.DuckDBPyConnection, names: list[str], models: dict[str, runner.Model] | None = None,
            fixed: dict[str, runner.Upstream] | None = None) -> dict[str, str]:
    """Table → the rows (a condition) that change from the snapshot attached as `snapshot` to the
    warehouse, for the tables where that is known and is not the whole table (UNCHANGED: none)."""
    models = models or {m.name: m for m in runner.discover()}
    fixed = fixed_models(names, models) if fixed is None else fixed
    shapes = {}
    for db, table, shape in con.execute(
            "select database_name = 'snapshot', table_name, list((column_name, data_type) order by column_index) "
            "from duckdb_columns() where database_name in ('snapshot', current_database()) and schema_name = 'main' "
            "group by all").fetchall():
        shapes[db, table] = shape
    if (True, PUBLISHED_STATE) not in shapes:
        return {}
    same_shape = {n for n in names if shapes.get((True, n)) is not None and shapes.get((True, n)) == shapes.get((False, n))}
    changes = {}
    for name in sorted(same_shape & fixed.keys()):
        published = con.execute(f"select batch_id from snapshot.{PUBLISHED_STATE} where model = ? and fingerprint = ?",
                                [name, fixed[name].fingerprint]).fetchall()
        if published and not runner.loaded_since(con, fixed[name].sources, published[0][0]):
            changes[name] = UNCHANGED
    for name in sorted(same_shape & models.keys()):
        model = models[name]
        if not model.partition:
            continue
        # the days this build recomputed, if it was built from the state the snapshot holds
        days = con.execute(f"""
            select built.days from main.model_partitions as built
            inner join snapshot.{PUBLISHED_STATE} as published
                on published.model = built.model and published.fingerprint = built.fingerprint
                and published.as_of = built.previous_as_of and published.batch_id = built.previous_batch_id
            where built.model = ? and built.days is not null""", [name]).fetchall()
        if not days:
            continue
        # the rows the build wrote again, which the snapshot takes in the order they were written; a
        # model whose order is not led by its day was sorted again whole, and is copied whole
        rewritten = model.rewritten(days[0][0])
        if rewritten is not None:
            changes[name] = rewritten
    # quarantined rows are only ever added, batch by batch
    if "quarantine" in same_shape:
        count = "select batch_id, count(*) from {}.quarantine where batch_id <= {} group by all order by all"
        last = con.execute("select max(batch_id) from snapshot.quarantine").fetchall()[0][0] or 0
        if con.execute(count.format("snapshot", last)).fetchall() == con.execute(count.format("main", last)).fetchall():
            changes["quarantine"] = f"batch_id > {last}"
    return changes


def read_judged(folder: str | Path) -> dict:
    """What a Spark build says it wrote to `folder` (spark.judge's judged.json): as_of, each table
    and its rows, the published names that are views. FileNotFoundError: not a Spark build's output."""
    import json

    return json.loads((Path(folder) / JUDGED).read_text(encoding="utf-8"))


def publish_from(folder: str | Path, warehouse: str | Path, max_rows: int | None = None) -> Path:
    """The snapshot of `warehouse`, made from the Parquet marts a Spark build wrote to `folder`
    (spark.judge): the same tables and views the dashboard and the workbook read. A table of more
    than `max_rows` rows (settings: snapshot_max_rows), and the facts a snapshot never holds
    (NOT_PUBLISHED), stay Parquet and are read in place through a view: the snapshot then needs the
    folder where it is."""
    from core.settings import load_settings

    folder = Path(folder).resolve()
    max_rows = load_settings().snapshot_max_rows if max_rows is None else max_rows
    judged = read_judged(folder)
    models = {m.name: m for m in runner.discover()}
    # the folder is shared storage: a name it gives reaches SQL only if it is one this release publishes
    tables, views = published_names([*models, *PUBLISHED_TABLES, *runner.rule_tables()], large_facts=True)
    unknown = sorted({*judged["tables"], *judged["views"]} - {*tables, *views})
    if unknown:
        raise ValueError(f"{folder / JUDGED} names tables this release does not publish: {', '.join(unknown)[:300]}")
    target = snapshot_path(warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(tmp) as con:
        for name, rows in judged["tables"].items():
            parquet = f"read_parquet({lit(folder / name / '*.parquet')})"
            if name in NOT_PUBLISHED or rows > max_rows:
                con.execute(f"create view {name} as select * from {parquet}")
            else:
                con.execute(f"create table {name} as select * from {parquet}")
        for name in judged["views"]:
            con.execute(f"create view {name} as {models[name].sql}")
    os.replace(tmp, target)
    return target
