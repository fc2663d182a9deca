"""Publish a read-only snapshot of the marts for the dashboard and the workbook.

DuckDB holds an exclusive lock on a file open for writing, so readers never open the warehouse the
ETL writes: they open the snapshot, which is written to a temporary file beside it and swapped in
with an atomic rename once complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .progress import steps

# What readers need: the marts and facts, the reference tables they are labelled with, and the
# load records shown on the data-quality page and the workbook cover.
PUBLISHED_PREFIXES = ("fct_", "mart_", "rules_")
PUBLISHED_TABLES = ("labels", "load_batches", "load_files", "quarantine", "int_units", "int_run_parameters",
                    "stg_units", "stg_cases", "appraisal_frozen_scores")
# Facts of one row per recording are read by no page or sheet: late uploads reach them as violations,
# with their details, and the retention page reads a count per unit and status. Copying the two was
# two thirds of publishing (80 M rows at a province's scale). They stay in the warehouse, with every
# other table of the contract, for SQL and outside checks.
NOT_PUBLISHED = ("fct_media_upload", "fct_media_retention")


def snapshot_path(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.stem + ".published.duckdb")


def publish(con: duckdb.DuckDBPyConnection, warehouse: str | Path, progress: bool = False) -> Path:
    """Copy the published tables from the open warehouse into a fresh snapshot and swap it in."""
    target = snapshot_path(warehouse)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    names = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'main' order by table_name").fetchall()
        if (r[0].startswith(PUBLISHED_PREFIXES) or r[0] in PUBLISHED_TABLES) and r[0] not in NOT_PUBLISHED]
    con.execute(f"attach '{tmp}' as snapshot")
    try:
        for name in steps(names, "publish", "table", enabled=progress):
            con.execute(f"create table snapshot.{name} as select * from main.{name}")
    finally:
        con.execute("detach snapshot")
    os.replace(tmp, target)
    return target
