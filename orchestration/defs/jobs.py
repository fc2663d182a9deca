import dagster as dg

from . import assets

# Load every new export, then judge: the daily run and what the inbox sensor starts. Its day
# partition is the day judged (as_of) and the day the device-day models recompute.
load_and_judge = dg.define_asset_job(
    "load_and_judge",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(assets.appraisal_workbook,
                                                                 assets.rectification_notices),
    description="Load new inbox files into the warehouse, judge every rule and publish the snapshot.",
)

yearly_workbook = dg.define_asset_job(
    "yearly_workbook",
    selection=dg.AssetSelection.assets(assets.appraisal_workbook, assets.rectification_notices),
    description="Write the previous year's appraisal workbook and rectification notices from the published snapshot.",
)
