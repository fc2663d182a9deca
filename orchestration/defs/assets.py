"""Assets: one per source load, the reference tables, and one per SQL model, all calling the same
functions as `recwatch run` (orchestration.load, orchestration.runner)."""

from pathlib import Path

import dagster as dg

from orchestration import runner
from orchestration.contract import SOURCES
from orchestration.load import load_inbox

from .resources import InboxResource, JudgementResource, WarehouseResource


def raw_asset_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(f"raw_{source}")


def load_asset(source: str) -> dg.AssetsDefinition:
    # a source loads after the sources its foreign keys point to
    upstream = sorted({c.fk for c in SOURCES[source].columns if c.fk and c.fk != source})

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

    @dg.asset(
        name=model.name,
        group_name=model.layer,
        kinds={"duckdb", "sql"},
        deps=deps,
        description=model.description,
        metadata={"sql_file": dg.MetadataValue.path(str(model.path))},
    )
    def _model(warehouse: WarehouseResource, judgement: JudgementResource) -> dg.MaterializeResult:
        con = warehouse.connect()
        try:
            runner.set_parameters(con, judgement.as_of_date(), judgement.default_profile or None)
            rows = runner.build_model(con, model)
        finally:
            con.close()
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "as_of": str(judgement.as_of_date())})

    return _model


load_assets = [load_asset(source) for source in SOURCES]
model_assets = [model_asset(model) for model in runner.discover()]
