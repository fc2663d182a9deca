"""The Spark session the models run in: its settings are fixed here, once, for every caller."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The models' timestamps are local times without an offset (contract §3: an office's wall clock).
# TIMESTAMP_NTZ keeps them so: a cast or literal makes an NTZ value, Parquet written by DuckDB is read
# as NTZ, and nothing is converted through a zone. The session zone is UTC all the same, so that a
# function that does go through one (unix_timestamp, from_unixtime) cannot shift a moment by 8 hours.
# ANSI mode: an overflow, a bad cast or an index out of bounds fails, as it would in DuckDB, instead
# of turning into a silent null.
CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.sql.ansi.enabled": "true",
    # Spark 4.3 writes the runtime bloom filter of a join on a constant key as Java that does not
    # compile (`(Long)-942...L`, read as a subtraction) and falls back to slower interpreted code,
    # logging the whole generated class; the filter only saves work where a join is selective
    "spark.sql.optimizer.runtime.bloomFilter.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def session_conf(master: str = "local[2]", shuffle_partitions: int = 4, driver_memory: str = "2g",
                 conf: dict[str, str] | None = None) -> dict[str, str]:
    """Every setting of a session on `master`, as Spark's keys: what the national job's resource is
    configured with (orchestration/defs/resources.py). The defaults suit a test on a small shared
    machine; a cluster run gives its own partitions and memory."""
    return {**CONF, "spark.master": master, "spark.app.name": "recwatch",
            "spark.sql.shuffle.partitions": str(shuffle_partitions), "spark.driver.memory": driver_memory,
            **(conf or {})}


def start(settings: dict[str, str]) -> SparkSession:
    """The session of `settings` (session_conf's), started or, if this process has one, taken."""
    from pyspark.logger import PySparkLogger
    from pyspark.sql import SparkSession

    # pyspark logs each failed query's stack before raising it: the caller has the exception
    PySparkLogger.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    # no managed table is ever written, but Spark makes its warehouse folder in the working directory
    # (a checkout, or where Dagster runs) unless told another. Made here, not in session_conf: every
    # process that loads the Dagster definitions reads the resource's settings, and only a run starts
    # a session. One folder for every session: nothing is ever written in it, and a folder per session
    # was left behind by each
    settings = {"spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "recwatch-spark-warehouse"), **settings}
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_session(master: str = "local[2]", shuffle_partitions: int = 4, driver_memory: str = "2g",
                  conf: dict[str, str] | None = None) -> SparkSession:
    """A session on `master` (session_conf)."""
    return start(session_conf(master, shuffle_partitions, driver_memory, conf))
