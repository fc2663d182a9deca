"""`recwatch judge --engine spark`: every model on Spark over the raw store's offices, the published
tables written as Parquet for `recwatch publish --from` (docs/spark.md).

The raw store (orchestration/rawstore.py) holds each office's rows as its own warehouse numbered
them. Load file and batch numbers restart in each warehouse, and a row's version is told by them
(load_replacements, R-INTEG's versions, the ledger's latest review), so each office's are moved into
a range of their own: office k (by name) adds k × 2³² to every file and batch number. One office
keeps its own numbers, which is what lets the differential test compare a Spark build with DuckDB's.

The output folder holds, each as a Parquet folder, the tables `recwatch publish` would copy into the
snapshot, the large facts it leaves out (fct_media_upload, fct_media_retention), and the state a
next build reads (appraisal_frozen_scores, frozen scores never move); judged.json says what was
built, from which offices, and which published names are views over the others. It is written
beside the output under a temporary name and renamed into place once complete.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import Settings

from .. import migrate, runner
from ..publish import JUDGED, published_names
from ..rawstore import MANIFEST, exported_tables
from .build import Built, build, keep, one_line
from .export import export_reference, parquet_path

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

STATE = "appraisal_frozen_scores"
OFFICE_SPAN = 1 << 32  # each office's file and batch numbers move into a range of this size
OFFICE_COLUMN = "_office"
RENUMBERED = {"_file_id", "_batch_id", "replaced_file_id", "file_id", "batch_id"}


class StoreError(RuntimeError):
    pass


def read_manifests(spark: SparkSession, store: str) -> dict[str, dict]:
    """office → its export's manifest (rawstore.MANIFEST), read through Spark: the store may be any
    URL Spark reads."""
    from pyspark.sql.utils import AnalysisException

    try:
        rows = spark.read.text(f"{store.rstrip('/')}/office=*/{MANIFEST}", wholetext=True).collect()
    except AnalysisException as exc:
        raise StoreError(f"no office's export in {store} (office=*/{MANIFEST}): run `recwatch export-raw` first") from exc
    manifests = {}
    for row in rows:
        manifest = json.loads(row.value)
        manifests[manifest["office"]] = manifest
    if not manifests:
        raise StoreError(f"no office's export in {store}")
    stale = {o: m["schema_version"] for o, m in manifests.items() if m["schema_version"] != migrate.SCHEMA_VERSION}
    if stale:
        raise StoreError("exports of another warehouse schema than this release's "
                         f"({migrate.SCHEMA_VERSION}): " + ", ".join(f"{o} ({v})" for o, v in sorted(stale.items()))
                         + "; export them again with this release")
    return dict(sorted(manifests.items()))


def office_table(spark: SparkSession, store: str, offices: list[str], table: str) -> DataFrame:
    """A table of every office's export, its file and batch numbers moved into each office's range,
    with the office's name (OFFICE_COLUMN)."""
    from pyspark.sql import functions as F

    paths = [f"{store.rstrip('/')}/office={office}/{table}" for office in offices]
    # recursive: the day folders are where the rows are, not a column of them
    frame = spark.read.option("recursiveFileLookup", "true").parquet(*paths)
    columns = frame.columns
    # the file's path from its metadata column: input_file_name() in a plan made a later union of
    # checks fail to plan (Spark 4.3: CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE in int_officer_check_months)
    frame = frame.withColumn(OFFICE_COLUMN, F.regexp_extract(F.col("_metadata.file_path"), r"/office=([^/]+)/", 1))
    if len(offices) == 1:
        return frame
    ranges = spark.createDataFrame([(o, k * OFFICE_SPAN) for k, o in enumerate(offices)], f"{OFFICE_COLUMN} string, base long")
    frame = frame.join(F.broadcast(ranges), OFFICE_COLUMN)
    return frame.select([(F.col(c) + F.col("base")).alias(c) if c in RENUMBERED else F.col(c) for c in columns]
                        + [OFFICE_COLUMN])


def register_store(spark: SparkSession, store: str, manifests: dict[str, dict]) -> None:
    """Every exported table as a view of every office's rows, once each office's files hold the
    rows its export.json counts (a store copied by a tool that does not rename atomically may be
    read half-copied)."""
    from pyspark.sql.utils import AnalysisException

    offices, short = list(manifests), []
    for table in exported_tables():
        try:
            frame = office_table(spark, store, offices, table)
            found = {r[OFFICE_COLUMN]: r["count"] for r in frame.groupBy(OFFICE_COLUMN).count().collect()}
        except AnalysisException as exc:
            raise StoreError(f"an office's export lacks {table}: {one_line(exc)[:300]}") from None
        short += [f"{office}/{table}: {found.get(office, 0)} rows, export.json {m['rows'].get(table)}"
                  for office, m in manifests.items() if found.get(office, 0) != m["rows"].get(table)]
        frame.drop(OFFICE_COLUMN).createOrReplaceTempView(table)
    if short:
        raise StoreError("the store's files do not hold what the exports wrote (being copied?): " + "; ".join(short[:5]))
    # a unit two offices both export would have its rows counted twice in the roll-up
    twice = spark.sql(f"select unit_id from raw_units group by unit_id having count(distinct _file_id div {OFFICE_SPAN}) > 1 "
                      "order by unit_id limit 5").collect()
    if twice:
        raise StoreError("units exported by more than one office: " + ", ".join(r.unit_id for r in twice))


def register_reference(spark: SparkSession, out: str) -> None:
    """labels and rules_* of this release, written by the DuckDB code that loads them."""
    with tempfile.TemporaryDirectory(prefix="recwatch-reference-") as local:
        tables = {table: path.name for table, path in export_reference(Path(local)).items()}
        register_shared(spark, Path(local), out, tables)


def register_state(spark: SparkSession, out: str) -> None:
    """The frozen scores of the last judge writing to `out`; none before the first."""
    import duckdb
    from pyspark.sql.utils import AnalysisException

    try:
        frame = spark.read.parquet(f"{out.rstrip('/')}/{STATE}")
    except AnalysisException:
        with tempfile.TemporaryDirectory(prefix="recwatch-state-") as local:
            with duckdb.connect() as con:
                con.execute(next(ddl for ddl in runner.STATE_DDL if STATE in ddl))
                con.execute(f"copy {STATE} to '{parquet_path(Path(local), STATE)}' (format parquet)")
            register_shared(spark, Path(local), out, {STATE: parquet_path(Path(local), STATE).name})
        return
    keep(frame).createOrReplaceTempView(STATE)


def register_shared(spark: SparkSession, local: Path, out: str, tables: dict[str, str]) -> None:
    """Parquet files this driver wrote in `local` (table → file name) registered as kept tables. A
    cluster's executors cannot read the driver's disk, so the files are copied beside the output, on
    its file system, and removed once the tables are kept (computed and stored without them)."""
    fs, shared, jvm = hadoop_fs(spark, f"{out.rstrip('/')}.inputs-{uuid.uuid4().hex[:8]}")
    fs.copyFromLocalFile(False, True, jvm.org.apache.hadoop.fs.Path(local.resolve().as_uri()), shared)
    try:
        for table, name in tables.items():
            keep(spark.read.parquet(f"{shared.toString()}/{name}")).createOrReplaceTempView(table)
    finally:
        fs.delete(shared, True)


@dataclass
class Judged:
    as_of: str
    default_profile: str | None
    offices: dict[str, dict]
    tables: dict[str, int] = field(default_factory=dict)  # written: name → rows
    views: list[str] = field(default_factory=list)  # published names that are views over the tables
    models: list[dict] = field(default_factory=list)  # each model's stage, rows and seconds
    seconds: float = 0.0


def judge(spark: SparkSession, store: str, out: str, as_of: dt.date, default_profile: str | None = None,
          settings: Settings | None = None) -> Judged:
    """Every model over every office in `store`, the published tables written to `out`."""
    import time

    started = time.perf_counter()
    context = spark.sparkContext
    if not context.master.startswith("local") and not context.getCheckpointDir():
        # executors come and go: tables are kept where they survive
        context.setCheckpointDir(f"{out.rstrip('/')}.checkpoints")
    manifests = read_manifests(spark, store)
    register_store(spark, store, manifests)
    register_reference(spark, out)
    register_state(spark, out)
    built: list[Built] = build(spark, None, as_of, default_profile, settings)
    present = [t.name for t in spark.catalog.listTables() if t.isTemporary]
    tables, views = published_names(present, large_facts=True)
    judged = Judged(as_of.isoformat(), default_profile, {o: {k: m[k] for k in ("exported_at", "batch_id", "recwatch_version")}
                                                         for o, m in manifests.items()},
                    views=views, models=[{k: v for k, v in asdict(b).items() if k != "spark_sql"} for b in built])
    staging = f"{out.rstrip('/')}.writing-{uuid.uuid4().hex[:8]}"
    for name in dict.fromkeys([*tables, STATE]):
        spark.sparkContext.setJobDescription(f"write {name}")
        frame = spark.table(name)
        frame.write.mode("overwrite").parquet(f"{staging}/{name}")
        judged.tables[name] = spark.read.parquet(f"{staging}/{name}").count()
    spark.sparkContext.setJobDescription(None)
    judged.seconds = round(time.perf_counter() - started, 1)
    write_text(spark, f"{staging}/{JUDGED}", json.dumps(asdict(judged), ensure_ascii=False, indent=1))
    swap(spark, staging, out)
    return judged


def hadoop_fs(spark: SparkSession, path: str):
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop_path, jvm


def write_text(spark: SparkSession, path: str, text: str) -> None:
    fs, target, _ = hadoop_fs(spark, path)
    stream = fs.create(target, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def swap(spark: SparkSession, staging: str, out: str) -> None:
    """`staging` put where `out` was, through Hadoop's file system (a local path, hdfs://, …): the
    old output is moved aside first and removed after, so a reader finds one build or the other."""
    fs, target, jvm = hadoop_fs(spark, out)
    retired = jvm.org.apache.hadoop.fs.Path(f"{out.rstrip('/')}.retired-{uuid.uuid4().hex[:8]}")
    if fs.exists(target) and not fs.rename(target, retired):
        raise StoreError(f"could not move the previous {out} aside")
    if not fs.rename(jvm.org.apache.hadoop.fs.Path(staging), target):
        raise StoreError(f"could not move {staging} to {out}")
    fs.delete(retired, True)
