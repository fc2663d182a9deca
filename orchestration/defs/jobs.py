from pathlib import Path

import dagster as dg

from core.settings import load_settings

from . import assets, national
from .resources import WarehouseResource

# Load every new export, then judge: the daily run and what the inbox sensor starts. Its day
# partition is the day judged (as_of) and the day the device-day models recompute.
load_and_judge = dg.define_asset_job(
    "load_and_judge",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(assets.appraisal_workbook,
                                                                 assets.rectification_notices)
    - dg.AssetSelection.groups(national.GROUP),
    description="Load new inbox files into the warehouse, judge every rule and publish the snapshot.",
)

yearly_workbook = dg.define_asset_job(
    "yearly_workbook",
    selection=dg.AssetSelection.assets(assets.appraisal_workbook, assets.rectification_notices),
    description="Write the previous year's appraisal workbook and rectification notices from the published snapshot.",
)


@dg.op(description="Copy the warehouse into the settings' backup_dir with its manifest, waiting for a run that holds "
                   "it, then remove the backups the retention keeps no more (backup_keep_daily, backup_keep_monthly).")
def backup_warehouse(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> dg.Output[str]:
    from orchestration.backup import backup, prune, verify

    settings = load_settings()
    folder = backup(Path(warehouse.path), Path(settings.backup_dir), wait=3600)
    manifest = verify(folder)  # a backup that would not restore is a failed run, not a quiet one
    removed = prune(Path(settings.backup_dir), settings.backup_keep_daily, settings.backup_keep_monthly)
    return dg.Output(str(folder), metadata={"folder": str(folder), "bytes": manifest.bytes, "sha256": manifest.sha256,
                                            "tables": len(manifest.tables), "removed": [p.name for p in removed]})


@dg.job(description="Back the warehouse up (recwatch backup) and keep the last days' and months' backups.")
def warehouse_backup():
    backup_warehouse()
