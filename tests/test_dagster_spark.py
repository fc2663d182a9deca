"""The national job on Dagster (#26): with engine = "spark" the definitions gain national_job and its
Spark session resource (dagster-pyspark's, configured by orchestration/spark/session.py); with the
default engine, or without the extra `spark`, they load as before and import nothing of Spark's.

The job's run is tested end to end: the XS sample year exported to a raw store, its assets
materialised on a local Spark session, and the snapshot they publish compared, table by table, with
the snapshot the DuckDB build of the same year publishes. That test needs pyspark and Java, and is
skipped without them; the loading tests need neither.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import dagster as dg
import pytest

from core.runstatus import read_status, status_path
from core.settings import load_settings
from core.warehouse import connect
from orchestration.defs import national
from orchestration.defs.resources import JudgementResource, RawStoreResource, WarehouseResource, spark_resource
from orchestration.publish import NOT_PUBLISHED, snapshot_path
from orchestration.spark.session import session_conf


def java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home and Path(home, "bin", "java").exists()) or shutil.which("java") is not None


pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

needs_spark = pytest.mark.skipif(
    find_spec("pyspark") is None or find_spec("dagster_pyspark") is None or not java(),
    reason="pyspark, dagster-pyspark or Java is missing (the extra spark; Debian: openjdk-17-jre-headless)")

# What a machine without the extra lacks: each import of these then fails as it would there. Not
# dagster_spark, which dagster-pyspark pulls in: it imports no pyspark, and Dagster's loader imports it
# by the entry point it installs, which would still be listed
WITHOUT_SPARK = """
import sys
for name in ("pyspark", "py4j", "sqlglot", "dagster_pyspark"):
    sys.modules[name] = None
"""

LOAD = """
import json, sys
from orchestration.definitions import defs
d = defs()
print(json.dumps({
    "jobs": sorted(j.name for j in d.resolve_all_job_defs() if not j.name.startswith("__")),
    "resources": sorted(d.resources),
    "spark_config": getattr(d.resources.get("spark"), "spark_config", None),
    "load_and_judge": sorted(k.to_user_string()
                             for k in d.resolve_job_def("load_and_judge").asset_layer.selected_asset_keys),
    "running": sorted(s.name for s in [*d.schedules, *d.sensors] if s.default_status.value == "RUNNING"),
    "imported": sorted(m for m in ("pyspark", "py4j", "sqlglot", "dagster_pyspark") if sys.modules.get(m)),
}))
"""


def load_definitions(engine: str, spark_importable: bool) -> subprocess.CompletedProcess:
    """The code location loaded in a process of its own, as Dagster loads it: the engine is read then,
    and the checkout's packages (the working directory) come first."""
    code = ("" if spark_importable else WITHOUT_SPARK) + LOAD
    env = {**os.environ, "RECWATCH_ENGINE": engine}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[1])


def loaded(engine: str, spark_importable: bool) -> dict:
    done = load_definitions(engine, spark_importable)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


OFFICE_JOBS = ["load_and_judge", "warehouse_backup", "yearly_workbook"]


def test_the_definitions_load_without_the_extra_spark():
    """A machine without pyspark (make demo's) loads the office's definitions, and nothing national."""
    found = loaded("duckdb", spark_importable=False)
    assert found["jobs"] == OFFICE_JOBS
    assert found["resources"] == ["inbox", "judgement", "warehouse"]
    assert found["imported"] == []
    assert found["running"] == ["daily_backup", "daily_load_and_judge", "inbox_sensor", "run_failure_status",
                                "yearly_appraisal_workbook"]


def test_the_spark_engine_without_the_extra_says_what_to_install():
    done = load_definitions("spark", spark_importable=False)
    assert done.returncode != 0
    assert "engine = spark needs the extra spark: pip install -e '.[spark]'" in done.stderr


def test_an_engine_neither_duckdb_nor_spark_is_refused():
    done = load_definitions("Spark", spark_importable=False)
    assert done.returncode != 0 and "engine = 'Spark': one of duckdb, spark" in done.stderr


@pytest.mark.skipif(find_spec("dagster_pyspark") is None, reason="dagster-pyspark is missing (the extra spark)")
def test_the_spark_engine_adds_the_national_job_on_the_session_settings():
    """engine = spark: national_job and its Spark resource, whose spark_config is session.py's settings
    (CONF, the master, partitions and memory from settings), and the office's runs that write the
    warehouse start stopped. Loading the definitions starts no Spark."""
    found = loaded("spark", spark_importable=True)
    assert found["jobs"] == sorted([*OFFICE_JOBS, "national_job"])
    assert found["resources"] == ["inbox", "judgement", "raw_store", "spark", "warehouse"]
    settings = load_settings()
    assert found["spark_config"] == session_conf(settings.spark_master, settings.spark_shuffle_partitions,
                                                 settings.spark_driver_memory)
    assert not {"national_marts", "national_snapshot"} & set(found["load_and_judge"])
    assert "published_snapshot" in found["load_and_judge"]
    assert found["running"] == ["run_failure_status", "yearly_appraisal_workbook"]


# --- the national job's run, on a local Spark session ----------------------------------------------

AS_OF = "2025-12-31"  # the samples' DuckDB build (conftest.Samples.published)


@pytest.fixture(scope="module")
def national_run(samples, tmp_path_factory):
    """The XS year (seed 5) exported to a raw store as its one office, and the national job's assets
    and check materialised over it: the result and the warehouse name the snapshot was written beside.
    One materialisation, so one Spark session, which the resource stops when it is done."""
    from orchestration.rawstore import export_raw

    root = tmp_path_factory.mktemp("national")
    with connect(samples.loaded(5, "XS")[0], read_only=True) as con:
        export_raw(con, root / "raw-store")
    warehouse = root / "national.duckdb"
    small = dataclasses.replace(load_settings(), spark_master="local[2]", spark_shuffle_partitions=4,
                                spark_driver_memory="2g")
    resources = {"spark": spark_resource(small), "judgement": JudgementResource(as_of=AS_OF, default_profile="hebei"),
                 "raw_store": RawStoreResource(path=str(root / "raw-store"), marts=str(root / "marts")),
                 "warehouse": WarehouseResource(path=str(warehouse))}
    result = dg.materialize([national.national_marts, national.national_snapshot, national.rows_as_judged],
                            resources=resources)
    return result, warehouse


@needs_spark
def test_the_national_job_publishes_the_duckdb_builds_tables(national_run, samples):
    from orchestration.spark.compare import compare_snapshots

    result, warehouse = national_run
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [("rows_as_judged", True)], checks
    status = read_status(status_path(warehouse))
    assert (status["outcome"], status["engine"], status["as_of"]) == ("success", "spark", AS_OF)
    assert status["run_id"] == result.run_id
    differences = compare_snapshots(str(samples.published(5, "XS")), str(snapshot_path(warehouse)))
    assert {"mart_unit_period_scorecard", "fct_violations", "appraisal_frozen_scores"} <= set(differences)
    # the facts a snapshot never copies are views over the Spark build's Parquet; DuckDB's has none
    assert {n: d.summary() for n, d in differences.items() if not d.identical} == {
        n: "missing in a" for n in NOT_PUBLISHED}
