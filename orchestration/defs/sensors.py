import json
from pathlib import Path

import dagster as dg
import duckdb

from core.warehouse import WarehouseBusy, connect
from orchestration.inbox import walk
from orchestration.load import is_on_record, on_record

from . import jobs, national
from .partitions import days
from .resources import InboxResource, WarehouseResource


def new_files(inbox: Path, cursor: str | None, recorded: set[tuple] = frozenset()) -> tuple[list[str], str]:
    """Inbox files not seen before (by path, size and modification time) and not already on the
    warehouse's record (`recorded`, load.on_record), and the next cursor."""
    seen = json.loads(cursor) if cursor else {}
    entries = [e for e in walk(inbox) if e.why is None] if inbox.is_dir() else []
    current = {e.rel: f"{e.size}:{e.mtime_ns}" for e in entries}
    fresh = sorted(e.rel for e in entries if seen.get(e.rel) != current[e.rel] and not is_on_record(e, recorded))
    return fresh, json.dumps(current, sort_keys=True)


def warehouse_record(path: Path) -> set[tuple]:
    """The files the warehouse has loaded or seen (empty when it does not exist yet, or a run holds
    it: the run then finds what is new itself)."""
    if not path.exists():
        return set()
    try:
        con = connect(path, read_only=True)
    except (WarehouseBusy, duckdb.Error):
        return set()
    try:
        return on_record(con)
    except duckdb.CatalogException:  # a warehouse nothing was loaded into yet
        return set()
    finally:
        con.close()


@dg.sensor(job=jobs.load_and_judge, minimum_interval_seconds=60,
           default_status=(dg.DefaultSensorStatus.RUNNING if national.OFFICE_AUTOMATION
                           else dg.DefaultSensorStatus.STOPPED),
           description="Starts a load-and-judge run when new files land in the inbox.")
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource, warehouse: WarehouseResource):
    # A file the warehouse already holds is not news: `dagster dev` started on the demo's warehouse
    # must not re-judge it as of another day because the sensor had never looked at its inbox
    fresh, cursor = new_files(Path(inbox.path), context.cursor, warehouse_record(Path(warehouse.path)))
    context.update_cursor(cursor)
    if not fresh:
        return dg.SkipReason("no new files in the inbox")
    # judged as of the last complete day; days the files reach further back are found by the
    # runner from the rows themselves
    yesterday = days.get_last_partition_key()
    if yesterday is None:
        return dg.SkipReason(f"no day to judge before {days.start:%Y-%m-%d}")
    return dg.RunRequest(run_key=cursor, partition_key=yesterday,
                         tags={"recwatch/new_files": ", ".join(fresh)[:4000]})


@dg.run_failure_sensor(name="run_failure_status", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Records a failed run beside the warehouse, where the dashboard's /health reads it.")
def run_failure_status(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    from core.output import one_line
    from core.runstatus import write_status

    error = context.failure_event.message or "failed"
    write_status(warehouse.path, "failed", run_id=context.dagster_run.run_id, job=context.dagster_run.job_name,
                 error=one_line(error)[:300])
