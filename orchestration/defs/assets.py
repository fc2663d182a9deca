"""Assets: one per source load, the reference tables, and one per SQL model, all calling the same
functions as `recwatch run` (orchestration.load, orchestration.runner)."""

import datetime as dt
from pathlib import Path

import dagster as dg

from core.contract import SOURCES
from core.runstatus import write_status
from orchestration import runner
from orchestration.load import load_inbox
from orchestration.publish import publish, snapshot_path

from .partitions import days, years
from .resources import InboxResource, JudgementResource, WarehouseResource


def raw_asset_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(f"raw_{source}")


def load_asset(source: str) -> dg.AssetsDefinition:
    # a source loads after the sources its foreign keys point to
    upstream = sorted(SOURCES[source].upstream)

    @dg.asset(
        name=f"raw_{source}",
        group_name="load",
        kinds={"duckdb", "python"},
        deps=[raw_asset_key(u) for u in upstream],
        description=f"Every delivered valid row of {source} ({SOURCES[source].zh}): new inbox files are "
                    f"read, validated and appended; bad rows go to quarantine.",
    )
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource):
        con = warehouse.connect()
        try:
            batch = load_inbox(con, Path(inbox.path), sources=[source])
            total = con.execute(f"select count(*) from raw_{source}").fetchall()[0][0]
        finally:
            con.close()
        files = [f for f in batch.files if f.outcome != "skipped"]
        return dg.MaterializeResult(metadata={
            "batch_id": batch.batch_id, "outcome": batch.outcome,
            "files_loaded": sum(f.outcome == "loaded" for f in files),
            "files_rejected": sum(f.outcome == "rejected" for f in files),
            "rows_loaded": batch.total("rows_loaded"), "rows_quarantined": batch.total("rows_quarantined"),
            "rows_replaced": batch.total("rows_replaced"), "dagster/row_count": total,
        })

    return _load


@dg.asset(group_name="rules", kinds={"duckdb"},
          description="The label catalogue and the rule tables of every jurisdiction profile (models/rules/*.csv).")
def rule_tables(warehouse: WarehouseResource) -> dg.MaterializeResult:
    con = warehouse.connect()
    try:
        built = runner.build_reference_tables(con)
    finally:
        con.close()
    return dg.MaterializeResult(metadata={name: rows for name, rows in built})


def model_asset(model: runner.Model) -> dg.AssetsDefinition:
    reads_raw = sorted({r[4:] for r in runner.references(model.sql) if r.startswith("raw_") and r[4:] in SOURCES})
    deps = [dg.AssetKey(d) for d in sorted(model.deps)] + [raw_asset_key(s) for s in reads_raw]
    if model.reads_reference_tables:
        deps.append(dg.AssetKey("rule_tables"))
    partitioned = model.partition is not None

    @dg.asset(
        name=model.name,
        group_name=model.layer,
        kinds={"duckdb", "sql"},
        deps=deps,
        description=model.description,
        metadata={"sql_file": dg.MetadataValue.path(str(model.path)), "materialized": model.materialized},
        # a backfill of many days is one SQL statement over all of them, not a run per day
        partitions_def=days if partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
    )
    def _model(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               judgement: JudgementResource) -> dg.MaterializeResult:
        as_of = judgement.as_of_date(context)
        con = warehouse.connect()
        try:
            runner.set_parameters(con, as_of, judgement.default_profile or None)
            rows = runner.build_model(con, model, days=partition_days(context) if partitioned else ())
            recomputed = runner.days_recomputed(con) if partitioned else None
        finally:
            con.close()
        metadata = {"as_of": str(as_of)} if rows is None else {"dagster/row_count": rows, "as_of": str(as_of)}
        if partitioned:
            metadata["days_recomputed"] = "all" if recomputed is None else recomputed
        return dg.MaterializeResult(metadata=metadata)

    return _model


def partition_days(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The days of the run's partition range; the runner adds the days late deliveries touched."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + dt.timedelta(days=i) for i in range((end - first).days)]


load_assets = [load_asset(source) for source in SOURCES]
model_assets = [model_asset(model) for model in runner.discover()]
PUBLISHED_FROM = [a.key for a in model_assets if a.key.path[-1].startswith(("fct_", "mart_"))]


@dg.asset(group_name="publish", kinds={"duckdb"}, deps=PUBLISHED_FROM,
          description="The read-only snapshot of the marts the dashboard and workbooks read, swapped in atomically.")
def published_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    con = warehouse.connect()
    try:
        target = publish(con, warehouse.path)
    finally:
        con.close()
    write_status(warehouse.path, "success", run_id=context.run.run_id)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target)),
                                          "bytes": target.stat().st_size})


@dg.asset(group_name="publish", kinds={"excel"}, deps=[published_snapshot], partitions_def=years,
          description="The year's appraisal workbook (年度考核): scorecard, rule sheets, findings, spot-check "
                      "ledger; written beside the warehouse in appraisal/.")
def appraisal_workbook(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from reports.workbook import write_workbook

    out = Path(warehouse.path).resolve().parent / "appraisal" / f"appraisal-{context.partition_key}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = write_workbook(snapshot_path(warehouse.path), context.partition_key, out)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out)), "bytes": out.stat().st_size,
                                          "sheets": len(summary.get("sheets", []))})


@dg.asset(group_name="publish", kinds={"word"}, deps=[appraisal_workbook], partitions_def=years,
          description="The year's rectification notices (整改通知书): a Word document to each unit with findings, "
                      "written beside the warehouse in notices/<year>/, after the workbook they follow from.")
def rectification_notices(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from reports.notices import write_notices

    out = Path(warehouse.path).resolve().parent / "notices" / context.partition_key
    summary = write_notices(snapshot_path(warehouse.path), context.partition_key, out)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out)), "notices": summary["notices"],
                                          "findings": summary["findings"]})
