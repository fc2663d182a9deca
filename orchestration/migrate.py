"""The warehouse's schema version, and bringing an older warehouse up to it (issue #30: upgrades).

A warehouse records in `warehouse_versions` each schema version it was brought to and each recwatch
release that opened it for writing. Opening it (every load and build does, through
load.init_warehouse) checks that record first:

- a warehouse of a newer schema than this recwatch knows is refused, saying which release wrote it,
  before anything in it is touched;
- an older one is migrated, one version at a time, each step recorded. Additive changes (a new
  source's raw table, a new column) are made by load.ddl for every version alike; MIGRATIONS holds
  what more a version needs. The models themselves need nothing: each build replaces every model
  whose SQL, rule tables or macros changed (runner.Upstream), and a frozen appraisal figure
  (appraisal_frozen_scores) is data, carried over as it is.

Schema versions:
1. before versions were recorded (up to commit e9f893b, 2026-12-06);
2. the source spot_check_reviews; warehouse_versions and rule_table_changes themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from core import i18n

SCHEMA_VERSION = 2

VERSIONS_DDL = """create table if not exists warehouse_versions (
    schema_version integer, recwatch_version varchar, duckdb_version varchar, recorded_at timestamp, note varchar)"""


class WarehouseTooNew(RuntimeError):
    """A warehouse a newer recwatch wrote: said in both languages, with what to install."""

    def __init__(self, schema: int, release: str):
        self.zh = i18n.text("warehouse_too_new", "zh", schema=schema, release=release, ours=SCHEMA_VERSION)
        self.en = i18n.text("warehouse_too_new", "en", schema=schema, release=release, ours=SCHEMA_VERSION)
        super().__init__(f"{self.zh}\n{self.en}")


def recwatch_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("recwatch")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def recorded(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    """(the warehouse's schema version, the recwatch release that last wrote it): 0 for a new
    warehouse, 1 for one made before versions were recorded."""
    has_versions, has_raw = con.execute("""
        select count(*) filter (where table_name = 'warehouse_versions'),
               count(*) filter (where table_name like 'raw\\_%' escape '\\')
        from duckdb_tables() where database_name = current_database() and schema_name = 'main'""").fetchall()[0]
    if not has_versions:
        return (1 if has_raw else 0), None
    row = con.execute("select max(schema_version), arg_max(recwatch_version, recorded_at) from warehouse_versions"
                      ).fetchall()[0]
    return (row[0] or 0), row[1]


def check(con: duckdb.DuckDBPyConnection) -> int:
    """The warehouse's schema version; refused if newer than this recwatch's (nothing touched)."""
    schema, release = recorded(con)
    if schema > SCHEMA_VERSION:
        raise WarehouseTooNew(schema, release or "?")
    return schema


def bring_up_to_date(con: duckdb.DuckDBPyConnection, was: int) -> list[int]:
    """After load.ddl: run each migration past `was`, record each, and record this release when it
    is not the one that last wrote the warehouse. Returns the versions migrated to."""
    con.execute(VERSIONS_DDL)
    ours, now = recwatch_version(), dt.datetime.now().replace(microsecond=0)
    steps = [] if was == 0 else list(range(was + 1, SCHEMA_VERSION + 1))
    for version in steps:
        MIGRATIONS.get(version, lambda c: None)(con)
        con.execute("insert into warehouse_versions values (?, ?, ?, ?, ?)",
                    [version, ours, duckdb.__version__, now, f"migrated from schema {version - 1}"])
    if was == 0:
        con.execute("insert into warehouse_versions values (?, ?, ?, ?, 'created')",
                    [SCHEMA_VERSION, ours, duckdb.__version__, now])
    elif not steps and recorded(con)[1] != ours:
        con.execute("insert into warehouse_versions values (?, ?, ?, ?, 'opened by another release')",
                    [SCHEMA_VERSION, ours, duckdb.__version__, now])
    return steps


def _to_2(con: duckdb.DuckDBPyConnection) -> None:
    # raw_spot_check_reviews came with load.ddl; the ledger's marts gain their review columns at the
    # next build, which replaces them (their SQL changed)
    pass


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {2: _to_2}
