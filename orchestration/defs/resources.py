import datetime as dt
import os

import dagster as dg

from orchestration.settings import load_settings
from orchestration.warehouse import connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (RECWATCH_WAREHOUSE, default from settings)."""

    path: str

    def connect(self):
        return connect(self.path)


class InboxResource(dg.ConfigurableResource):
    """The folder exports land in (RECWATCH_INBOX, default from settings)."""

    path: str


class JudgementResource(dg.ConfigurableResource):
    """What compliance is judged against: as_of (empty = today) and the default rule profile."""

    as_of: str = ""
    default_profile: str = ""

    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()


settings = load_settings()
# Read here, once per code-location load, so a deployment points Dagster at its files by env vars.
defs = dg.Definitions(
    resources={
        "warehouse": WarehouseResource(path=os.environ.get("RECWATCH_WAREHOUSE", settings.warehouse)),
        "inbox": InboxResource(path=os.environ.get("RECWATCH_INBOX", settings.inbox)),
        "judgement": JudgementResource(),
    },
    # One DuckDB file has one writer: steps run one after another in a single process.
    executor=dg.in_process_executor,
)
