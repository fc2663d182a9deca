"""How the last run went, in a small file beside the warehouse (`<warehouse>.run.json`), for the
dashboard's health endpoint (dashboards/health.py) and a monitor polling it.

The warehouse itself cannot tell: while a run holds it no other process may open it, and a run
that fails publishes nothing, so the snapshot keeps saying how the run before went. The run writes
this file as it starts and ends (the CLI's run, Dagster's publish step and its run-failure sensor);
written whole to a temporary file and renamed, so a reader never sees half of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

SUFFIX = ".run.json"
PUBLISHED = ".published.duckdb"


def status_path(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.stem + SUFFIX)


def status_path_of_snapshot(snapshot: str | Path) -> Path:
    """The status file of the warehouse whose published snapshot is `snapshot`."""
    snapshot = Path(snapshot)
    stem = snapshot.name[:-len(PUBLISHED)] if snapshot.name.endswith(PUBLISHED) else snapshot.stem
    return snapshot.with_name(stem + SUFFIX)


def write_status(warehouse: str | Path, outcome: str, **info) -> None:
    """`outcome`: running, success or failed; `info`: what else a reader needs (as_of, the error)."""
    path = status_path(warehouse)
    record = {"outcome": outcome, "at": dt.datetime.now().replace(microsecond=0).isoformat(), "pid": os.getpid(),
              **{k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in info.items()}}
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_status(path: str | Path) -> dict | None:
    """The status recorded at `path`, or None when there is none (or it cannot be read)."""
    try:
        said = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return said if isinstance(said, dict) else None
