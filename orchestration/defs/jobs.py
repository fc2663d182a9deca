import dagster as dg

# Load every new export, then rebuild every model: the daily run and what the inbox sensor starts.
load_and_judge = dg.define_asset_job(
    "load_and_judge",
    selection=dg.AssetSelection.all(),
    description="Load new inbox files into the warehouse and judge every rule.",
)
