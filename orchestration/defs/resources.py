import datetime as dt

import dagster as dg

from core.settings import load_settings
from core.warehouse import connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (RECWATCH_WAREHOUSE, default from settings).

    Not dagster-duckdb's DuckDBResource: it opens its own duckdb.connect, and every connection here
    comes from core.warehouse.connect, the one factory that applies the settings' memory, threads
    and temp directory, fixes the session's time zone (timestamps are naive Asia/Shanghai) and turns
    a held lock into the bilingual "another run holds the warehouse" refusal."""

    path: str

    def connect(self):
        return connect(self.path)


class InboxResource(dg.ConfigurableResource):
    """The folder exports land in (RECWATCH_INBOX, default from settings)."""

    path: str


class JudgementResource(dg.ConfigurableResource):
    """What compliance is judged against: as_of and the default rule profile. An empty as_of is the
    last day of the run's day partitions (a daily run judges as of the day it loads), else today."""

    as_of: str = ""
    default_profile: str = ""

    def as_of_date(self, context: dg.AssetExecutionContext | None = None) -> dt.date:
        if self.as_of:
            return dt.date.fromisoformat(self.as_of)
        # every asset of a run, partitioned or not, sees the run's partition tags
        tags = context.run.tags if context is not None else {}
        last_day = tags.get("dagster/partition") or tags.get("dagster/asset_partition_range_end")
        return dt.date.fromisoformat(last_day) if last_day else dt.date.today()


settings = load_settings()
# Not dg.EnvVar: core.settings is the one reader of RECWATCH_* variables and the settings file, for
# the CLI, the dashboard and Dagster alike, and EnvVar has no default, so a deployment configured by
# its settings file alone could not launch a run. Read once per code-location load.
defs = dg.Definitions(
    resources={
        "warehouse": WarehouseResource(path=settings.warehouse),
        "inbox": InboxResource(path=settings.inbox),
        "judgement": JudgementResource(),
    },
    # One DuckDB file has one writer: steps run one after another in a single process.
    executor=dg.in_process_executor,
)
