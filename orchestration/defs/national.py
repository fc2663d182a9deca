"""The national job (engine = "spark", docs/spark.md): every model on Spark over the raw store every
office exports to, then the dashboard's snapshot from the marts, by the functions `recwatch judge`
and `recwatch publish --from` call.

A file of its own rather than a part of assets.py, checks.py and jobs.py: Dagster's loader takes a
module's Definitions object in place of its loose definitions, so the one object here, empty unless
the engine is Spark, registers the job with its assets, its check and the Spark resource, and the
office's files neither change with the engine nor import anything of Spark's.
"""

import dagster as dg
import duckdb

from core.runstatus import write_status
from orchestration.publish import publish_from, read_judged, snapshot_path

from .resources import JudgementResource, RawStoreResource, WarehouseResource, settings, spark_resource

ENGINES = ("duckdb", "spark")
GROUP = "national"


@dg.asset(group_name=GROUP, kinds={"spark", "parquet"},
          description="Every model over every office's raw rows in the raw store (recwatch export-raw), built on "
                      "Spark; the published tables and the frozen scores written as Parquet (recwatch judge).")
def national_marts(context: dg.AssetExecutionContext, spark: dg.ConfigurableResource, judgement: JudgementResource,
                   raw_store: RawStoreResource) -> dg.MaterializeResult:
    # spark is resources.spark_resource_type()'s LazyPySparkResource, which no annotation here can name
    # without importing pyspark
    from orchestration.spark.judge import judge

    as_of = judgement.as_of_date(context)
    judged = judge(spark.spark_session, raw_store.path, raw_store.marts, as_of, judgement.default_profile or None)
    return dg.MaterializeResult(metadata={
        "as_of": str(as_of), "offices": ", ".join(judged.offices), "models": len(judged.models),
        "tables": len(judged.tables), "seconds": judged.seconds, "path": dg.MetadataValue.path(raw_store.marts)})


@dg.asset(group_name=GROUP, kinds={"duckdb"}, deps=[national_marts],
          description="The snapshot the dashboard and workbooks read, made from the national marts (recwatch "
                      "publish --from) and swapped in atomically beside the warehouse setting's name.")
def national_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                      raw_store: RawStoreResource) -> dg.MaterializeResult:
    target = publish_from(raw_store.marts, warehouse.path)
    write_status(warehouse.path, "success", run_id=context.run.run_id, as_of=read_judged(raw_store.marts)["as_of"],
                 engine="spark")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target)),
                                          "bytes": target.stat().st_size})


@dg.asset_check(asset=national_snapshot, name="rows_as_judged", blocking=True,
                description="Every table the national build wrote is in the snapshot with the rows its judged.json "
                            "counted, and every view it names is there.")
def rows_as_judged(warehouse: WarehouseResource, raw_store: RawStoreResource) -> dg.AssetCheckResult:
    judged = read_judged(raw_store.marts)
    with duckdb.connect(str(snapshot_path(warehouse.path)), read_only=True) as con:
        present = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        rows = {name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
                for name in judged["tables"] if name in present}
    missing = sorted((set(judged["tables"]) | set(judged["views"])) - present)
    differing = [f"{name} {rows[name]} / {judged['tables'][name]}" for name in sorted(rows)
                 if rows[name] != judged["tables"][name]]
    return dg.AssetCheckResult(passed=not missing and not differing,
                               metadata={"tables": len(rows), "views": len(judged["views"]),
                                         "missing": ", ".join(missing), "rows_differ": ", ".join(differing[:10])})


national_job = dg.define_asset_job(
    "national_job", selection=dg.AssetSelection.groups(GROUP),
    description="Build every model on Spark over every office's export in the raw store, then publish the snapshot.")

if settings.engine not in ENGINES:
    raise ValueError(f"engine = {settings.engine!r}: one of {', '.join(ENGINES)}")

# The office's automation (the daily load and judge, the nightly backup, the inbox sensor) writes the
# DuckDB warehouse and publishes its snapshot: on a national server it would publish an empty
# warehouse's snapshot over the national one each night, and back up a warehouse that is not there.
# There it starts stopped; it can still be started by hand.
OFFICE_AUTOMATION = settings.engine == "duckdb"

defs = dg.Definitions(
    assets=[national_marts, national_snapshot], asset_checks=[rows_as_judged], jobs=[national_job],
    resources={"spark": spark_resource(settings),
               "raw_store": RawStoreResource(path=settings.raw_store, marts=settings.spark_out)},
) if settings.engine == "spark" else dg.Definitions()
