import json
from pathlib import Path

import dagster as dg

from orchestration.inbox import walk

from . import jobs
from .partitions import days
from .resources import InboxResource


def new_files(inbox: Path, cursor: str | None) -> tuple[list[str], str]:
    """Inbox files not seen before (by path, size and modification time) and the next cursor."""
    seen = json.loads(cursor) if cursor else {}
    current = {e.rel: f"{e.size}:{e.mtime_ns}" for e in walk(inbox) if e.why is None} if inbox.is_dir() else {}
    fresh = sorted(path for path, stamp in current.items() if seen.get(path) != stamp)
    return fresh, json.dumps(current, sort_keys=True)


@dg.sensor(job=jobs.load_and_judge, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a load-and-judge run when new files land in the inbox.")
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource):
    fresh, cursor = new_files(Path(inbox.path), context.cursor)
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
