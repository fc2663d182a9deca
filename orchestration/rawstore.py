"""The raw store: an office's validated raw rows as Parquet, where a national (or multi-year) build on
Spark reads every office's together (docs/spark.md, issue #26).

Loading stays where the files arrive: each office loads its inbox into its own DuckDB warehouse, with
quarantine and all-or-nothing batches, and `recwatch export-raw` then writes what that warehouse
holds to the shared store, one folder per office:

    <store>/office=<office>/export.json                        what was written, and by which release
    <store>/office=<office>/raw_media/day=2025-07-01/*.parquet  a source with a required moment, by its day
    <store>/office=<office>/raw_units/*.parquet                 a source without one, whole
    <store>/office=<office>/load_replacements/*.parquet         which row versions later deliveries replaced
    <store>/office=<office>/quarantine/*.parquet                the load records the data-quality page shows
                                                                (and load_files, load_batches)

Every version of a row is written, not only the current one: the tampering check (R-INTEG) compares
a recording's versions, and load_replacements says which is current. An office's folder is written
beside the store under a name Spark skips (a leading underscore) and renamed into place whole, the
old one removed after: a build reading the store sees an office's previous export or its new one,
never half of each. The store is a path this machine writes (a local disk, or NFS or HDFS mounted);
Spark reads it by any URL it knows (hdfs://, s3a://).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from pathlib import Path

import duckdb

from core import i18n
from core.contract import SOURCES, TIMESTAMP
from core.sql import ident, lit

from . import migrate, runner

MANIFEST = "export.json"
LOAD_RECORDS = ("quarantine", "load_files", "load_batches")
# an office's name becomes a folder of the shared store: nothing that could leave it or hide in it
OFFICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
NO_DAY = "none"


class RawStoreError(i18n.BilingualError):
    """An export that cannot be written, said in both languages."""


def day_column(source: str) -> str | None:
    """The moment a source's rows are partitioned by: its first required timestamp (a recording's
    start, a device event's time, an act's start); None for a source without one (units, documents)."""
    return next((c.name for c in SOURCES[source].columns if c.type == TIMESTAMP and c.required), None)


def exported_tables() -> list[str]:
    """The warehouse tables an office exports: the raw rows the models read, and the load records."""
    raw = sorted(t for t in runner.read_tables() if t.startswith("raw_"))
    return [*raw, "load_replacements", *LOAD_RECORDS]


def office_of(con: duckdb.DuckDBPyConnection, office: str | None) -> str:
    """The office named, or the warehouse's one top unit (an office oversees one tree of units)."""
    if office is None:
        roots = [r[0] for r in con.execute(
            "select distinct unit_id from raw_units where parent_unit_id is null order by 1").fetchall()]
        if len(roots) != 1:
            raise RawStoreError("export_office_needed", roots=", ".join(roots[:5]) or "-")
        office = roots[0]
    if not OFFICE.fullmatch(office):
        raise RawStoreError("export_bad_office", office=office)
    return office


def export_raw(con: duckdb.DuckDBPyConnection, store: Path, office: str | None = None) -> Path:
    """Write the warehouse's raw rows and load records to `store`/office=<office>, replacing the
    office's previous export whole. Returns the office's folder."""
    office = office_of(con, office)
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    target = store / f"office={office}"
    staging = store / f"_writing-{office}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        rows = {}
        for table in exported_tables():
            rows[table] = write_table(con, table, staging / table)
        batch = con.execute("select coalesce(max(batch_id), 0) from load_batches").fetchall()[0][0]
        manifest = {"office": office, "exported_at": dt.datetime.now().replace(microsecond=0).isoformat(),
                    "recwatch_version": migrate.recwatch_version(), "schema_version": migrate.SCHEMA_VERSION,
                    "batch_id": batch, "rows": rows}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        retired = store / f"_retired-{office}-{uuid.uuid4().hex[:8]}"
        if target.exists():
            target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def write_table(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> int:
    rows = con.execute(f"select count(*) from {ident(table)}").fetchall()[0][0]
    day = day_column(table.removeprefix("raw_")) if table.startswith("raw_") else None
    if day is None or rows == 0:
        # an empty table is still written, so that its columns and types reach the build
        where = folder / f"day={NO_DAY}" if day is not None else folder
        where.mkdir(parents=True)
        con.execute(f"copy (select * from {ident(table)}) to {lit(where / 'data_0.parquet')} (format parquet)")
        return rows
    # Hive's key=value folders (day=2025-07-01), as Spark and DuckDB read them; the day is the folder's
    # name, not a column of the files
    con.execute(f"""copy (select *, coalesce(strftime({ident(day)}, '%Y-%m-%d'), {lit(NO_DAY)}) as day
                          from {ident(table)})
                    to {lit(folder)} (format parquet, partition_by (day))""")
    return rows


def manifests(store: Path) -> dict[str, dict]:
    """office → its export's manifest, for every office in a local store."""
    found = {}
    for folder in sorted(Path(store).glob("office=*")):
        found[folder.name.removeprefix("office=")] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return found
