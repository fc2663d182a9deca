"""Backups of the warehouse, and restoring one (issue #30): the record an appraisal rests on must
survive a disk failure.

A backup is a folder `recwatch-<YYYYMMDD-HHMMSS>/` holding the warehouse file as it stood at one
moment and `manifest.json`: when, which recwatch and DuckDB wrote it, the file's size and SHA-256,
and every table's row count. It is taken while no run holds the warehouse: the backup holds it
itself (DuckDB lets one process write a file), checkpoints it so the file alone is the whole
warehouse, and copies it; a run that starts meanwhile waits or is told the warehouse is busy, as it
would be by another run. A backup asked for while a run holds the warehouse waits up to `wait`
seconds for it, then refuses, saying who holds it.

Restoring checks the copy against its manifest (the file's checksum, then every table's rows, read
from the copy) before anything is replaced, never overwrites a warehouse unless told to, puts the
copy in place in one rename, and publishes its snapshot again so the dashboard shows what was
restored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import backoff
import duckdb

from core import i18n
from core.runstatus import write_status
from core.warehouse import WarehouseBusy, connect

from .migrate import recwatch_version

MANIFEST = "manifest.json"
PREFIX = "recwatch-"
STAMP = "%Y%m%d-%H%M%S"


class BackupError(i18n.BilingualError):
    """A backup that cannot be made or restored, said in both languages."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    recwatch_version: str
    duckdb_version: str
    warehouse: str  # where it was taken from
    file: str  # the copy's name in the backup folder
    bytes: int
    sha256: str
    tables: dict[str, int]  # table → rows

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        try:
            said = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            return cls(**{k: said[k] for k in cls.__dataclass_fields__})
        except FileNotFoundError:
            raise BackupError("backup_no_manifest", folder=folder) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError("backup_bad_manifest", folder=folder, error=exc) from None


def table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'main' "
        "order by table_name").fetchall()]
    return {name: con.execute(f'select count(*) from "{name}"').fetchall()[0][0] for name in names}


def holding(warehouse: Path, wait: float) -> duckdb.DuckDBPyConnection:
    """The warehouse opened for writing, which keeps every run out until it is closed; while a run
    holds it, tried again each second for up to `wait` seconds."""
    @backoff.on_exception(backoff.constant, WarehouseBusy, interval=1, max_time=wait, jitter=None)
    def attempt() -> duckdb.DuckDBPyConnection:
        return connect(warehouse)

    if not warehouse.exists():
        raise BackupError("backup_no_warehouse", path=warehouse)
    return attempt()


def copy_hashing(source: Path, target: Path) -> str:
    h = hashlib.sha256()
    with open(source, "rb") as src, open(target, "xb") as out:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            h.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup(warehouse: Path, out_root: Path, wait: float = 0, now: dt.datetime | None = None,
           label: str | None = None) -> Path:
    """Copy the warehouse into a new folder under `out_root`; returns the folder. A `label` (letters,
    digits, - and _) is added to the folder's name, which takes it out of prune's reach."""
    warehouse, out_root = Path(warehouse), Path(out_root)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    if label is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", label):
        raise ValueError(f"a backup's label is letters, digits, - and _ (at most 40): {label!r}")
    folder = out_root / f"{PREFIX}{now:{STAMP}}{'-' + label if label else ''}"
    if folder.exists():
        raise BackupError("backup_exists", folder=folder)
    con = holding(warehouse, wait)
    partial = folder.with_name(folder.name + ".partial")
    try:
        con.execute("checkpoint")  # the file alone is the warehouse: nothing left in its write-ahead log
        tables = table_rows(con)
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        digest = copy_hashing(warehouse, partial / warehouse.name)
    finally:
        con.close()
    manifest = Manifest(now.isoformat(), recwatch_version(), duckdb.__version__, str(warehouse.resolve()),
                        warehouse.name, (partial / warehouse.name).stat().st_size, digest, tables)
    (partial / MANIFEST).write_text(json.dumps(manifest.__dict__, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    partial.rename(folder)  # a folder without .partial is a whole backup
    return folder


def verify(folder: Path) -> Manifest:
    """The backup's manifest, once its copy matches it: checksum, DuckDB version, every table's rows."""
    folder = Path(folder)
    manifest = Manifest.read(folder)
    copy = folder / manifest.file
    if not copy.is_file() or Path(manifest.file).name != manifest.file:
        raise BackupError("backup_no_copy", folder=folder, file=manifest.file)
    if copy.stat().st_size != manifest.bytes or sha256_of(copy) != manifest.sha256:
        raise BackupError("backup_damaged", file=copy)
    if manifest.duckdb_version != duckdb.__version__:
        raise BackupError("backup_other_duckdb", version=manifest.duckdb_version, ours=duckdb.__version__)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        found = table_rows(con)
    finally:
        con.close()
    if found != manifest.tables:
        differ = sorted(t for t in found.keys() | manifest.tables.keys() if found.get(t) != manifest.tables.get(t))
        raise BackupError("backup_tables_differ", tables=", ".join(differ[:10]))
    return manifest


def restore(folder: Path, warehouse: Path, force: bool = False, wait: float = 0) -> Manifest:
    """Put the backup in `folder` in place as `warehouse` and publish its snapshot again."""
    from .publish import publish

    folder, warehouse = Path(folder), Path(warehouse)
    manifest = verify(folder)
    if warehouse.exists() and not force:
        raise BackupError("restore_exists", path=warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = warehouse.with_name(warehouse.name + ".restoring")
    tmp.unlink(missing_ok=True)
    if copy_hashing(folder / manifest.file, tmp) != manifest.sha256:
        tmp.unlink()
        raise BackupError("backup_damaged", file=folder / manifest.file)
    # no run may hold the warehouse being replaced (waited for as a backup waits); then the copy is
    # swapped in by one rename, with the old file's write-ahead log gone with it
    if warehouse.exists():
        holding(warehouse, wait).close()
    Path(str(warehouse) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, warehouse)
    con = connect(warehouse)
    try:
        publish(con, warehouse)
    finally:
        con.close()
    # /health tells what the dashboard now shows: the restored warehouse, not the run before it
    write_status(warehouse, "restored", from_backup=str(folder), taken_at=manifest.created_at)
    return manifest


def prune(out_root: Path, keep_daily: int, keep_monthly: int, today: dt.date | None = None) -> list[Path]:
    """Remove the backups under `out_root` that the retention keeps no more: the newest of each of
    the last `keep_daily` days and of each of the last `keep_monthly` months are kept. Returns
    what was removed. Folders not named as backups are left alone."""
    today = today or dt.date.today()
    taken: dict[Path, dt.datetime] = {}
    for path in Path(out_root).glob(f"{PREFIX}*"):
        try:
            taken[path] = dt.datetime.strptime(path.name[len(PREFIX):], STAMP)
        except ValueError:
            continue
    newest = sorted(taken, key=taken.get, reverse=True)
    keep = set()
    days = {today - dt.timedelta(days=k) for k in range(keep_daily)}
    months = set()
    month = today.replace(day=1)
    for _ in range(keep_monthly):
        months.add(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    for unit, wanted in ((lambda t: t.date(), days), (lambda t: t.date().replace(day=1), months)):
        seen = set()
        for path in newest:
            key = unit(taken[path])
            if key in wanted and key not in seen:
                seen.add(key)
                keep.add(path)
    removed = [p for p in newest if p not in keep]
    for path in removed:
        shutil.rmtree(path)
    return removed
