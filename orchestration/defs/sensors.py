import json
from pathlib import Path

import dagster as dg

from orchestration.load import inbox_files

from . import jobs
from .resources import InboxResource


def new_files(inbox: Path, cursor: str | None) -> tuple[list[str], str]:
    """Inbox files not seen before (by path, size and modification time) and the next cursor."""
    seen = json.loads(cursor) if cursor else {}
    current = {p.relative_to(inbox).as_posix(): f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
               for _, p in inbox_files(inbox)} if inbox.is_dir() else {}
    fresh = sorted(path for path, stamp in current.items() if seen.get(path) != stamp)
    return fresh, json.dumps(current, sort_keys=True)


@dg.sensor(job=jobs.load_and_judge, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a load-and-judge run when new files land in the inbox.")
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource):
    fresh, cursor = new_files(Path(inbox.path), context.cursor)
    context.update_cursor(cursor)
    if not fresh:
        return dg.SkipReason("no new files in the inbox")
    return dg.RunRequest(run_key=cursor, tags={"recwatch/new_files": ", ".join(fresh)[:4000]})
