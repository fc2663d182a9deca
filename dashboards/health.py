"""GET /health: whether the dashboard has data a monitor can trust (issue #30), for the office's
monitoring to poll. It says how old the published snapshot is and how the last run went, and no more:
nothing about any unit, so it answers without a user (no access decision needs to be made for it).

HTTP 200 while the snapshot is younger than the setting health_max_age_hours and the last run did
not fail; 503 otherwise, with the reason, so that a monitor alerts on the status code alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.runstatus import read_status, status_path_of_snapshot


def health(snapshot: Path, max_age_hours: float, now: dt.datetime | None = None) -> tuple[dict, int]:
    """(the report, its HTTP status)."""
    now = now or dt.datetime.now()
    if not snapshot.exists():
        return {"status": "no_snapshot", "problems": ["no published snapshot: no run has finished yet"]}, 503
    published = dt.datetime.fromtimestamp(snapshot.stat().st_mtime).replace(microsecond=0)
    age = (now - published).total_seconds() / 3600
    run = read_status(status_path_of_snapshot(snapshot))
    stale, failed = age > max_age_hours, bool(run and run.get("outcome") == "failed")
    problems = []
    if stale:
        problems.append(f"the snapshot is {age:.1f} hours old (more than {max_age_hours:g})")
    if failed:
        problems.append(f"the last run failed at {run.get('at')}: {run.get('error', 'see its log')}")
    report = {
        "status": "failing" if failed else "stale" if stale else "ok",
        "snapshot_published_at": published.isoformat(),
        "snapshot_age_hours": round(age, 2),
        "last_run": {k: run[k] for k in ("outcome", "at", "as_of", "batch_outcome") if k in run} if run else None,
        "problems": problems,
    }
    return report, 200 if not problems else 503
