import datetime as dt
import functools

import dagster as dg

from core.settings import Settings, load_settings
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


class RawStoreResource(dg.ConfigurableResource):
    """The national job's folders (settings: raw_store, spark_out): the raw store every office exports
    to (recwatch export-raw), and where the marts built from it are written as Parquet."""

    path: str
    marts: str


@functools.cache
def spark_resource_type() -> type[dg.ConfigurableResource]:
    """dagster-pyspark's LazyPySparkResource, its session started by session.start: spark_config is
    session_conf's, and start() adds what only a running process has (a warehouse folder of its own)
    and quiets pyspark's logging of failed queries, as for every other session of recwatch's.

    The lazy one, started when a step first asks for the session: `dagster job execute` sets a run's
    resources up again after the run to return its result, and a PySparkResource would start a second
    session there. A function, not a class of this module: dagster_pyspark imports pyspark, the extra
    `spark`, which only a Spark engine's definitions may need (the DuckDB path and `make demo` load
    without it)."""
    try:
        from dagster_pyspark import LazyPySparkResource
    except ImportError as exc:
        raise ImportError(f"engine = spark needs the extra spark: pip install -e '.[spark]' ({exc})") from exc

    from orchestration.spark.session import start

    class SparkResource(LazyPySparkResource):
        # the one place LazyPySparkResource starts its session (both spark_session and spark_context
        # call it): a private name, so dagster-pyspark is pinned and tests/test_dagster_spark.py runs it
        def _init_session(self) -> None:
            if self._spark_session is None:
                self._spark_session = start(self.spark_config)

        def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
            # the library leaves its session running, and a cluster's executors held until the
            # process that started it ends: an in-process run (dg.materialize) is not that
            if self._spark_session is not None:
                self._spark_session.stop()

    return SparkResource


def spark_resource(settings: Settings) -> dg.ConfigurableResource:
    """The Spark session resource on the settings' spark_master, sized by spark_shuffle_partitions and
    spark_driver_memory."""
    from orchestration.spark.session import session_conf

    return spark_resource_type()(spark_config=session_conf(settings.spark_master, settings.spark_shuffle_partitions,
                                                           settings.spark_driver_memory))


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
