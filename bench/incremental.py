"""A daily delivery on top of a loaded year: the inbox as it stands plus one new day of files.

The new day is the warehouse's last day of acts, their documents, recordings and device logs,
moved one day on and given new keys, written with the contract's English headers in the formats
the exporting systems use. write_day adds them to the inbox the year was loaded from, as an office's
export adds a day's files to its inbox: a daily run then skips every loaded file by its path, size
and times, without reading it. next_day writes them into a new inbox with the old files hard-linked
beside them, which a daily run reads whole to hash (a link changes a file's change time).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from core.contract import LIST, SOURCES, TIMESTAMP
from core.warehouse import connect

SUFFIX = "_n1"
# source -> (the column that puts a row on a day, columns that become new keys, file format)
NEW_DAY = {
    "acts": ("started_at", ("act_id",), "csv"),
    "documents": (None, ("doc_id", "act_id"), "parquet"),  # the documents of the day's acts
    "media": ("recorded_start", ("media_id",), "parquet"),
    "device_events": ("event_time", ("file_id",), "parquet"),
}


def _select(source: str, renamed: tuple[str, ...], fmt: str) -> str:
    cols = []
    for col in SOURCES[source].columns:
        expr = col.name
        if col.name in renamed:
            expr = f"{col.name} || '{SUFFIX}'"
        elif col.type == TIMESTAMP:
            expr = f"{col.name} + interval 1 day"
        elif col.type == LIST and fmt == "csv":
            expr = f"array_to_string({col.name}, ';')"
        cols.append(f"{expr} as {col.name}")
    return ", ".join(cols)


def link_inbox(inbox: Path, out: Path) -> None:
    for path in inbox.rglob("*"):
        if path.is_file():
            target = out / path.relative_to(inbox)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:  # another filesystem
                target.symlink_to(path.resolve())


def next_day(warehouse: Path, inbox: Path, out: Path) -> tuple[dt.date, int]:
    """Write `out` as `inbox` plus the next day's files; returns that day (the run's as-of) and its rows."""
    shutil.rmtree(out, ignore_errors=True)
    link_inbox(inbox, out)
    return write_day(warehouse, out)


def write_day(warehouse: Path, out: Path) -> tuple[dt.date, int]:
    """Add the next day's files to the inbox `out`; returns that day (the run's as-of) and its rows."""
    con = connect(warehouse, read_only=True)
    try:
        last = con.execute("select max(cast(recorded_start as date)) from raw_media").fetchone()[0]
        day = last + dt.timedelta(days=1)
        rows = 0
        for source, (day_column, renamed, fmt) in NEW_DAY.items():
            key = ", ".join(SOURCES[source].key)
            on_day = (f"cast({day_column} as date) = date '{last}'" if day_column else
                      f"act_id in (select act_id from raw_acts where cast(started_at as date) = date '{last}')")
            target = out / source / f"zz_{day}.{fmt}"
            rows += con.execute(f"""
                copy (select {_select(source, renamed, fmt)} from raw_{source} where {on_day}
                      qualify row_number() over (partition by {key} order by _file_id desc, _row_number desc) = 1)
                to '{target}' (format {fmt})""").fetchone()[0]
    finally:
        con.close()
    return day, rows
