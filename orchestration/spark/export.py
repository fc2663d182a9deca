"""The tables the models read that are not models, as Parquet files a Spark build starts from.

Two kinds: what a warehouse holds (the raw rows of every source, load_replacements, which says
which version of a row is current, and the state a model reads, appraisal_frozen_scores), exported
as it is when the build starts so that both engines judge the same inputs; and the reference tables
(labels, rules_*), which come with the release rather than with the data, written from the release
itself by the DuckDB code that loads them (runner.build_reference_tables), so their types and rows
are the DuckDB build's.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from core.sql import lit

from .. import runner


def parquet_path(root: Path, table: str) -> Path:
    return Path(root) / f"{table}.parquet"


def write_parquet(con: duckdb.DuckDBPyConnection, tables: list[str], out: Path) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in tables:
        written[table] = parquet_path(out, table)
        con.execute(f"copy (select * from {table}) to {lit(written[table])} (format parquet)")
    return written


STATE_TABLE = re.compile(r"create table if not exists (\w+)")


def export_inputs(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, Path]:
    """The warehouse's tables that some model reads, other than models and reference tables. A state
    table the warehouse does not have yet (its first build creates it) is written empty, as the
    build would create it."""
    reference = {"labels", *runner.rule_tables()}
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'main'").fetchall()}
    read = runner.read_tables() - reference
    written = write_parquet(con, sorted(read & present), out)
    missing = {STATE_TABLE.search(ddl).group(1): ddl for ddl in runner.STATE_DDL}.items()
    with duckdb.connect() as empty:
        for name, ddl in sorted(missing):
            if name in read and name not in present:
                empty.execute(ddl)
                written |= write_parquet(empty, [name], out)
    return written


def export_reference(out: Path) -> dict[str, Path]:
    """labels and every rules_* table of this release."""
    with duckdb.connect() as con:
        con.execute(runner.STATE_DDL[1])  # rule_table_changes, which loading a rule table may write
        names = [name for name, _ in runner.build_reference_tables(con)]
        return write_parquet(con, names, out)
