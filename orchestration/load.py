"""Load an inbox into the warehouse: read → map headers → parse and validate → raw / quarantine.

One batch is one transaction: a run that dies half-way leaves the warehouse as it was. Files
already loaded (same content hash) are skipped. Every row that comes in is either loaded into
raw_<source> or quarantined with a reason, and every file and batch is recorded with counts that
add up.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from core import i18n
from core.contract import SOURCES, SQL_TYPES, TIMESTAMP, header_aliases, normalize_header
from core.progress import Ticker
from core.sql import ident, lit
from core.warehouse import cursor, memory_limit_bytes, memory_share
from models import macro_sql

from . import inbox as inbox_, migrate, readers
from .validate import file_select

log = logging.getLogger("recwatch.load")

# What a file's content can make reading or parsing it raise: the file is rejected, the batch goes on.
CONTENT_ERRORS = (duckdb.BinderException, duckdb.ConversionException, duckdb.InvalidInputException,
                  duckdb.ParserException, duckdb.NotImplementedException, pa.ArrowException, ValueError,
                  KeyError, IndexError, TypeError, RecursionError, csv.Error)

RAW_META = "_extra varchar, _batch_id integer, _file_id integer, _row_number bigint"


def ddl() -> list[str]:
    stmts = [
        """create table if not exists load_batches (
            batch_id integer primary key, inbox varchar, started_at timestamp, finished_at timestamp,
            outcome varchar, files_seen integer, files_loaded integer, files_skipped integer,
            files_rejected integer, rows_in bigint, rows_loaded bigint, rows_quarantined bigint,
            rows_replaced bigint, message varchar)""",
        """create table if not exists load_files (
            file_id integer primary key, batch_id integer, source varchar, path varchar,
            file_name varchar, sha256 varchar, size_bytes bigint, format varchar, encoding varchar,
            outcome varchar, rows_in bigint, rows_loaded bigint, rows_quarantined bigint,
            rows_replaced bigint, message_zh varchar, message_en varchar, modified_at timestamp,
            changed_at timestamp)""",
        # warehouses made before files' modification and change times were kept
        "alter table load_files add column if not exists modified_at timestamp",
        "alter table load_files add column if not exists changed_at timestamp",
        """create table if not exists quarantine (
            batch_id integer, file_id integer, source varchar, file_name varchar, row_number bigint,
            raw varchar, reason_codes varchar[], reason_zh varchar, reason_en varchar)""",
        """create table if not exists load_replacements (
            batch_id integer, source varchar, key varchar, replaced_file_id integer,
            replaced_row_number bigint, file_id integer, row_number bigint)""",
    ]
    for name, src in SOURCES.items():
        cols = ", ".join(f"{ident(c.name)} {SQL_TYPES[c.type]}" for c in src.columns)
        stmts.append(f"create table if not exists raw_{name} ({cols}, {RAW_META})")
        # a warehouse made before a column joined the contract (documents.witness_signed) gets it,
        # empty for the rows loaded before: the loader names its columns, so their order is free
        stmts += [f"alter table raw_{name} add column if not exists {ident(c.name)} {SQL_TYPES[c.type]}"
                  for c in src.columns]
    return stmts


def init_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    was = migrate.check(con)  # a warehouse a newer recwatch wrote is refused before anything is touched
    for stmt in ddl():
        con.execute(stmt)
    # the loader draws the spot-check ledger as the models do, to check a returned review (validate.drawn_sql)
    con.execute(macro_sql())
    migrate.bring_up_to_date(con, was)


@dataclass
class FileResult:
    source: str
    path: str
    outcome: str  # loaded | rejected | skipped
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_replaced: int = 0
    encoding: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


@dataclass
class BatchResult:
    batch_id: int | None
    outcome: str
    files: list[FileResult] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)


def sha256_of(path: Path, identity: tuple[int, int]) -> str | None:
    """The content hash of the file the walk found at `path`; None if it is no longer that file."""
    h = hashlib.sha256()
    try:
        with inbox_.opened(path, identity) as readable, open(readable, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except inbox_.Changed:
        return None
    return h.hexdigest()


def on_record(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    """(path, size, modification time, change time) of each file the warehouse has a record of: an
    inbox entry still so is neither read nor recorded again (is_on_record)."""
    return {tuple(row) for row in con.execute(
        "select path, size_bytes, modified_at, changed_at from load_files where changed_at is not null").fetchall()}


def is_on_record(entry: inbox_.Entry, recorded: set[tuple]) -> bool:
    return (entry.rel, entry.size, local_time(entry.mtime_ns), local_time(entry.ctime_ns)) in recorded


def local_time(ns: int) -> dt.datetime:
    """A file's time (modification, change) as local time, to the microsecond, exactly (no float rounding)."""
    return dt.datetime.fromtimestamp(ns // 10**9) + dt.timedelta(microseconds=ns // 1000 % 10**6)


def map_headers(source: str, headers: list[str], check_required: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """Canonical names for delivered headers; unknown ones become _x<i>.

    Returns canonical → delivered header, and _x<i> → delivered header."""
    aliases = header_aliases(source)
    canonical, extras = {}, {}
    for i, header in enumerate(headers):
        if header == readers.ROW_NUMBER:
            continue
        name = aliases.get(normalize_header(header))
        if name in canonical:
            raise readers.FileRejected("file_duplicate_header", header=f"{canonical[name]}, {header}")
        if name is None:
            extras[f"_x{i}"] = header
        else:
            canonical[name] = header
    missing = [c for c in SOURCES[source].columns if c.required and c.name not in canonical]
    if missing and check_required:
        # each language lists them its own way: 环节类型（act_type）、… in Chinese text
        raise readers.FileRejected("file_missing_columns",
                                   columns_zh="、".join(f"{c.zh}（{c.name}）" for c in missing),
                                   columns_en=", ".join(f"{c.name} ({c.zh})" for c in missing))
    return canonical, extras


def sheet_layout(source: str) -> readers.SheetLayout | None:
    """Where a workbook recwatch wrote for `source` to be filled in keeps its table (Source.sheets)."""
    src = SOURCES[source]
    if not src.sheets:
        return None
    spellings = header_aliases(source)
    return readers.SheetLayout(src.sheets, tuple(tuple(sorted(h for h, name in spellings.items() if name == c.name))
                                                 for c in src.columns if c.required))


def load_file(con, source: str, path: Path, rel: str, batch_id: int, file_id: int,
              seen: SeenKeys | None = None) -> FileResult:
    """Load one file's rows into raw_<source> and quarantine; raises FileRejected for a file that
    cannot be used at all."""
    result = FileResult(source, rel, "loaded")
    name, fmt = Path(rel).name, Path(rel).suffix  # `path` may be the open file's /proc/self/fd
    read = readers.read(path, fmt, sheet_layout(source))
    if read.num_rows == 0 and not read.broken:
        raise readers.FileRejected("file_no_rows")  # a header alone is an export that went wrong
    # A JSONL file whose every line is broken has no columns to check; its lines are quarantined.
    canonical, extras = map_headers(source, read.schema.names, read.num_rows > 0 or not read.broken)
    result.encoding = read.encoding
    cols = SOURCES[source].names
    col_list = ", ".join(ident(c) for c in cols)
    arrow_types = {name: read.schema.field(header).type for name, header in canonical.items()}
    large = [t for t in SOURCES[source].upstream
             if con.execute(f"select count(*) > ? from raw_{t}", [read.num_rows]).fetchall()[0][0]]
    spreadsheet = fmt.lower() == ".xlsx"  # where a bare number in a date column is a date
    parsed = file_select(source, arrow_types, canonical, extras, large_targets=large, spreadsheet=spreadsheet)
    arrow = isinstance(read.rows, pa.Table)  # else DuckDB reads the file itself, as it loads
    if arrow:
        con.register("delivered", read.rows)
    renamed = ", ".join(f"{ident(header)} as {ident(name)}" for name, header in {**canonical, **extras}.items())
    con.execute(f"""create or replace temp view incoming as
        select {renamed}{', ' if renamed else ''}{readers.ROW_NUMBER}
        from {'delivered' if arrow else read.rows}""")
    try:
        # Good rows go straight to raw_<source>; the rows that did not are parsed again to build their
        # reasons in words. Keeping every parsed row in a temporary table instead cost as much as the
        # parse itself: writing and reading back a month of device log to find a few bad rows.
        # Nothing reads raw_<source> in its stored order, so the rows are not sorted back into the
        # file's order (a tenth of loading a month of device log).
        try:
            loaded = con.execute(f"""insert into raw_{source} ({col_list}, _extra, _batch_id, _file_id, _row_number)
                select {col_list}, _extra, {batch_id}, {file_id}, _row_number from ({parsed})
                where len(reason_codes) = 0""").fetchall()[0][0]
        except duckdb.Error as exc:
            if arrow or isinstance(exc, (duckdb.InterruptException, duckdb.OutOfMemoryException)):
                raise
            # a Parquet file whose footer reads but whose pages do not (DuckDB says so in several
            # ways: an IO error, invalid input, a Thrift protocol error…)
            raise readers.FileRejected.unreadable(exc) from None
        quarantined = 0
        if loaded < read.num_rows:
            numbers = read.row_numbers()
            left = left_out_rows(con, source, file_id, numbers)
            if arrow:
                # The rows are in memory: those left out are taken by their place in the table. Found
                # by a semi join of the whole file with their numbers, they cost a tenth of the load of
                # a month of device log from CSV again.
                con.register("left_rows", read.rows.take(readers.arrow_of(left)))
                rows = f"(select {renamed}{', ' if renamed else ''}{readers.ROW_NUMBER} from left_rows)"
            else:
                con.register("left_numbers", pa.table({readers.ROW_NUMBER: readers.arrow_of(numbers[left])}))
                rows = "(select * from incoming semi join left_numbers using (_row_number))"
            quarantined = con.execute(f"""insert into quarantine
                select {batch_id}, {file_id}, {lit(source)}, {lit(name)}, _row_number, _raw,
                       reason_codes, reason_zh, reason_en
                from ({file_select(source, arrow_types, canonical, extras, large_targets=large,
                                   spreadsheet=spreadsheet, rows=rows)})
                order by _row_number""").fetchall()[0][0]
    finally:
        # after a failed statement the transaction is aborted and these fail: it is rolled back whole
        for release in (lambda: con.execute("drop view if exists incoming"), lambda: con.unregister("delivered"),
                        lambda: con.unregister("left_numbers"), lambda: con.unregister("left_rows")):
            with contextlib.suppress(duckdb.Error):
                release()
    for b in read.broken:
        con.execute("insert into quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            batch_id, file_id, source, name, b.row_number, b.raw(),
            [b.reason], i18n.text(b.reason, "zh", **b.args), i18n.text(b.reason, "en", **b.args)])
    result.rows_loaded = loaded
    result.rows_quarantined = quarantined + len(read.broken)
    result.rows_in = result.rows_loaded + result.rows_quarantined
    # the file's rows (an Arrow table of a CSV, JSON-lines or spreadsheet file) are let go of first:
    # the repeated keys are found from the loaded rows, with the file's hashes in numpy (repeated_in)
    del read
    result.rows_replaced = record_replacements(con, source, batch_id, file_id, seen)
    return result


def left_out_rows(con, source: str, file_id: int, numbers: np.ndarray) -> np.ndarray:
    """The places in a file's rows (whose row numbers are `numbers`) of those that did not go to
    raw_<source>. A mask over the file's row numbers rather than an anti join in DuckDB: that hashed
    every loaded row number of the file, 2.4 s for a month of a province's device log with a few bad rows."""
    loaded = con.execute(f"select _row_number from raw_{source} where _file_id = ?", [file_id]).fetchnumpy()["_row_number"]
    first = int(numbers.min())
    is_loaded = np.zeros(int(numbers.max()) - first + 1, dtype=bool)
    is_loaded[np.asarray(loaded, dtype=np.int64) - first] = True
    return np.flatnonzero(~is_loaded[numbers - first])


class SeenKeys:
    """The hashes of the keys a lane has loaded in this batch, in a temporary table of the lane's
    connection. Without them each month of recordings hashed every recording of the months before
    it again (their key has no time range to narrow the search): 2.3 s of a city's year, and growing
    with the square of a province's. In DuckDB rather than in a numpy array: a province's 40 M
    recordings are 320 MB that DuckDB's memory limit covers (and can spill), where numpy's sorted
    copy took the load's peak memory from 11.2 to 12.0 GB."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        con.execute("create or replace temp table seen_keys (h ubigint)")

    def earlier(self, con) -> np.ndarray:
        """Of the file's key hashes (`file_keys`), those seen before; then adds them all (with the
        file's transaction: a file rolled back takes its keys with it)."""
        found = con.execute("select distinct h from file_keys semi join seen_keys using (h)").fetchnumpy()["h"]
        con.execute("insert into seen_keys select h from file_keys")
        return found


def repeated_in(hashes: np.ndarray) -> np.ndarray:
    """The hashes that occur more than once in `hashes`, found by sorting them in place. A group-by in
    DuckDB took four times the CPU (a month of device log: 0.14 against 0.04 s, 1.8 of the 39 CPU-seconds
    of loading M); sorted in place, the fetched hashes are 8 bytes a row beside the file being loaded."""
    hashes = np.asarray(hashes)
    hashes.sort()
    return np.unique(hashes[1:][hashes[1:] == hashes[:-1]])


def record_replacements(con, source: str, batch_id: int, file_id: int, seen: SeenKeys | None = None) -> int:
    """Rows of this file whose key was already loaded (earlier file, or earlier in this file).

    `seen` has the keys of the files loaded before this one in the batch (by the lane loading the
    source); without it every other row of raw_<source> is looked at."""
    key = SOURCES[source].key
    keys = ", ".join(ident(k) for k in key)
    key_json = "to_json({" + ", ".join(f"{lit(k)}: {ident(k)}" for k in key) + "})"
    # Almost every key is new: the rows are compared only for the keys seen twice, found by their
    # hashes. The file's hashes are kept in DuckDB, under its memory limit, for the look-ups in other
    # files; those repeated within the file are found in numpy (repeated_in), a copy sorted in place:
    # 8 bytes a row (a month of a province's device log, 25 M: 0.2 GB), once the file's Arrow table is
    # let go of (np.unique's copies of it had added 0.4 GB to the load's peak memory).
    con.execute(f"create or replace temp table file_keys as select hash({keys}) as h from raw_{source} "
                f"where _file_id = ?", [file_id])
    try:
        repeated = [repeated_in(con.execute("select h from file_keys").fetchnumpy()["h"])]
        period = next((k for k in key if SOURCES[source].column(k).type == TIMESTAMP), None)
        in_range, params = "true", {}
        if period is not None:
            # A key with a time in it (device logs arrive by period) can only be repeated by rows in
            # the new file's range of that time, which DuckDB finds by its min/max statistics: a month
            # of a province's device log usually has none, and the history is not hashed at all.
            low, high = con.execute(f"select min({ident(period)}), max({ident(period)}) from raw_{source} "
                                    f"where _file_id = ?", [file_id]).fetchall()[0]
            in_range, params = f"{ident(period)} between $low and $high", {"low": low, "high": high}
            others = f"_file_id <> {file_id} and {in_range}"
        elif seen is not None:
            repeated.append(seen.earlier(con))
            # the lane has this batch's keys; the earlier batches' are looked up in the warehouse,
            # which skips this batch's row groups by their statistics (a first load looks at nothing)
            others = f"_batch_id < {batch_id}"
        else:
            others = f"_file_id <> {file_id}"
        if con.execute(f"select exists (select 1 from raw_{source} where {others})", params).fetchall()[0][0]:
            repeated.append(con.execute(f"""select distinct hash({keys}) as h from raw_{source}
                where {others} and hash({keys}) in (select h from file_keys)""", params).fetchnumpy()["h"])
    finally:
        # after a failed statement the transaction is aborted and this fails: it is rolled back whole
        with contextlib.suppress(duckdb.Error):
            con.execute("drop table if exists file_keys")
    repeated = np.unique(np.concatenate(repeated))
    if not len(repeated):
        return 0
    con.register("repeated", pa.table({"h": readers.arrow_of(repeated)}))
    try:
        return con.execute(f"""insert into load_replacements
            with versions as (
                select {keys}, _file_id, _row_number,
                       lag(_file_id) over w as prev_file_id, lag(_row_number) over w as prev_row_number
                from raw_{source}
                where {in_range} and hash({keys}) in (select h from repeated)
                window w as (partition by {keys} order by _file_id, _row_number)
            )
            select {batch_id}, {lit(source)}, {key_json}, prev_file_id, prev_row_number, _file_id, _row_number
            from versions where _file_id = {file_id} and prev_file_id is not null
            order by _row_number""", params).fetchall()[0][0]
    finally:
        con.unregister("repeated")


# Sources load side by side where their foreign keys allow: a month of device log keeps DuckDB busy
# on both cores, while the other sources are as much Python (reading JSON lines and spreadsheets)
# as DuckDB. Loading the device log beside them took a city's year from 58 to 46 s. Three lanes: the
# device log, the recordings (which wait only for cases) and the acts and their documents each have
# one, so no lane is left to load a long source alone at the end (a city's year: 43 -> 39 s).
LANES = 3
# While loading, a lane reading CSV, JSON lines or a spreadsheet holds the file as an Arrow table,
# outside DuckDB's memory limit (DuckDB reads Parquet itself). So DuckDB gets half its limit and the
# files the lanes hold at once are kept to the other half (FilesInMemory): the process stays near the
# limit however the large files of a province's year fall together. Unchecked, three lanes reading a
# month of device log, half a year of acts and a month of recordings took the load of L to 10.9 GB
# with a 10 GB limit; with 6 GB it peaked at 8.1 GB with DuckDB given three quarters, 6.3 GB with
# half (278 s against 250 s). A file estimated larger than its half waits to be read alone. Judging
# afterwards has the whole limit (at L judging with 10 GB instead of 8 took 491 s instead of 555).
LOAD_MEMORY_SHARE = 0.5
LOAD_FILES_SHARE = 0.5
# What a file holds while it loads, per byte of the file, by format, as measured on scale L: a
# month of device log in CSV (1.5 GB) held 2.3 GB, half a year of acts in JSON lines (0.5 GB) 2.4 GB,
# a year of access log (0.5 GB) 2.8 GB. A spreadsheet is read in a process of its own and comes back
# as a table of its cells, which unpack to several times the file. Parquet DuckDB reads itself,
# inside its own limit.
HELD_PER_BYTE = {"csv": 1.6, "jsonl": 5.5, "xlsx": 8.0, "parquet": 0.0}


class FilesInMemory:
    """The bytes the lanes' files hold outside DuckDB, kept under `limit`: a lane waits to read its
    next file until the others' leave room for it, in the order the lanes asked (a large file is not
    passed over for ever by smaller ones); a file larger than the limit waits until nothing else is
    held. A file that holds nothing (Parquet, a copy) never waits, nor does anything with no limit
    (a memory limit DuckDB was left to read)."""

    def __init__(self, limit: int | None):
        self.limit, self.held, self.changed, self.waiting = limit, 0, threading.Condition(), []

    @contextlib.contextmanager
    def holding(self, nbytes: int):
        if self.limit is None or nbytes <= 0:  # a file DuckDB reads itself, or a copy: nothing to wait for
            yield
            return
        nbytes, turn = min(nbytes, self.limit), object()
        with self.changed:
            self.waiting.append(turn)
            self.changed.wait_for(lambda: self.waiting[0] is turn and self.held + nbytes <= self.limit)
            self.waiting.pop(0)
            self.held += nbytes
            self.changed.notify_all()  # the next in line may fit too
        try:
            yield
        finally:
            with self.changed:
                self.held -= nbytes
                self.changed.notify_all()


def held_while_loading(f: "InboxFile") -> int:
    """What `f` holds outside DuckDB while it loads, estimated from its size and format."""
    return int(f.size * HELD_PER_BYTE.get(f.path.suffix.lower().lstrip("."), 1.0))


@dataclass(frozen=True)
class InboxFile:
    index: int  # position in the inbox's load order
    file_id: int
    source: str
    path: Path
    rel: str
    size: int
    stamp: tuple[dt.datetime, dt.datetime]  # modification and change times
    identity: tuple[int, int]  # (device, inode) the walk found
    hashed: Future[str | None]  # the content hash, computed beside the loading of earlier files

    @property
    def digest(self) -> str | None:
        return self.hashed.result()


def record_file(con: duckdb.DuckDBPyConnection, file_id: int, batch_id: int, result: FileResult,
                sha256: str | None, size: int, stamp: tuple[dt.datetime, dt.datetime]) -> None:
    """A file's load_files record: every file seen is on record with what happened to it and why;
    `stamp` is its modification and change times."""
    con.execute("""insert into load_files (file_id, batch_id, source, path, file_name, sha256, size_bytes, format,
                       encoding, outcome, rows_in, rows_loaded, rows_quarantined, rows_replaced, message_zh,
                       message_en, modified_at, changed_at)
                   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", [
        file_id, batch_id, result.source, result.path, Path(result.path).name, sha256, size,
        Path(result.path).suffix.lower().lstrip("."), result.encoding, result.outcome, result.rows_in,
        result.rows_loaded, result.rows_quarantined, result.rows_replaced, result.message_zh, result.message_en,
        *stamp])


def not_read(source: str, rel: str, outcome: str, key: str, **args) -> FileResult:
    return FileResult(source, rel, outcome, message_zh=i18n.text(key, "zh", **args),
                      message_en=i18n.text(key, "en", **args))


def load_one(con: duckdb.DuckDBPyConnection, f: InboxFile, batch_id: int, seen: SeenKeys | None = None,
             copy_of: str | None = None) -> FileResult:
    """One file in its own transaction, with its load_files record; a copy of the loaded file
    `copy_of` is only recorded."""
    con.execute("begin transaction")
    try:
        try:
            if f.digest is None:  # it was no longer the walked file when hashed
                raise inbox_.Changed(f.rel)
            if copy_of is not None:
                result = not_read(f.source, f.rel, "skipped", "file_copy", of=copy_of)
            else:
                with inbox_.opened(f.path, f.identity) as readable:
                    result = load_file(con, f.source, readable, f.rel, batch_id, f.file_id, seen)
        except (readers.FileRejected, inbox_.Changed, *CONTENT_ERRORS) as exc:
            # rejected as it was read, or part-way through loading (a Parquet file's pages are read
            # only then): whatever it loaded is undone. A file whose content fails in a way nobody
            # foresaw is rejected too, with the error, so one hostile file cannot stop every run
            # (contract §1: the rest of the batch loads); a failure of the machine (disk, memory)
            # still stops the batch.
            if isinstance(exc, inbox_.Changed):
                exc = readers.FileRejected("file_changed")
            elif not isinstance(exc, readers.FileRejected):
                log.exception("file %s rejected: loading it failed", f.rel)
                exc = readers.FileRejected.unreadable(exc)
            con.execute("rollback")
            con.execute("begin transaction")
            # an error DuckDB or Arrow raised names the open file as /proc/self/fd/N: named as delivered
            zh, en = (re.sub(r"/proc/self/fd/\d+", f.rel, exc.message(lang)) for lang in ("zh", "en"))
            result = FileResult(f.source, f.rel, "rejected", message_zh=zh, message_en=en)
        record_file(con, f.file_id, batch_id, result, f.digest, f.size, f.stamp)
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    return result


def load_in_lanes(con: duckdb.DuckDBPyConnection, files: list[InboxFile], batch_id: int,
                  progress: bool, known: dict[tuple[str, str], str] | None = None) -> dict[int, FileResult]:
    """Load the files, each source's in order, a source once the sources its foreign keys point to
    are loaded, up to LANES sources at a time. A file whose (source, content) is `known` (loaded
    before, at the path it maps to) or that an earlier file of the source loaded in this batch has
    is skipped, and recorded as a copy. Returns each file's result by its index. On
    a failure the other lanes stop (a statement at work is interrupted) and the error is raised."""

    known = known or {}

    def copy_of(f: InboxFile) -> str | None:
        """The path of the loaded file `f` repeats, if any. Only a file of the same source and size
        can be one, so a lane waits for no other source's hash."""
        if f.digest is None:  # no longer the file the walk found: load_one says so
            return None
        if (f.source, f.digest) in known:
            return known[f.source, f.digest]
        return next((e.rel for e in by_source[f.source] if e.index < f.index and e.size == f.size
                     and results[e.index].outcome == "loaded" and e.digest == f.digest), None)

    by_source: dict[str, list[InboxFile]] = {}
    for f in files:
        by_source.setdefault(f.source, []).append(f)
    needs = {s: SOURCES[s].upstream & by_source.keys() for s in by_source}
    results: dict[int, FileResult] = {}
    stop, working = threading.Event(), {}
    ticker = Ticker(len(files), "load", "file", progress)
    limit = memory_limit_bytes()
    in_memory = FilesInMemory(None if limit is None else int(limit * LOAD_FILES_SHARE))

    def lane(source: str) -> None:
        lane_con = cursor(con)
        working[source] = lane_con
        seen = SeenKeys(lane_con)
        try:
            for f in by_source[source]:
                if stop.is_set():
                    return
                ticker(f.rel)
                copy = copy_of(f)
                with in_memory.holding(0 if copy is not None else held_while_loading(f)):
                    if stop.is_set():
                        return
                    results[f.index] = load_one(lane_con, f, batch_id, seen, copy)
        finally:
            working.pop(source, None)
            lane_con.close()

    waiting, running, done = list(by_source), {}, set()
    with ThreadPoolExecutor(LANES) as pool:
        try:
            while waiting or running:
                for source in [s for s in waiting if needs[s] <= done][:LANES - len(running)]:
                    waiting.remove(source)
                    running[pool.submit(lane, source)] = source
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done.add(running.pop(future))
                    future.result()
        except BaseException:
            stop.set()
            for lane_con in list(working.values()):
                with contextlib.suppress(duckdb.Error, RuntimeError):
                    lane_con.interrupt()
            raise
        finally:
            ticker.close()
    return results


def load_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, progress: bool = False,
               sources: Iterable[str] | None = None) -> BatchResult:
    """Load every new file of the inbox (of `sources`, default all) as one batch.

    Each file commits on its own, which keeps memory flat however large the batch; the batch as a
    whole is still all or nothing: a failure undoes every file of the batch before it returns, and
    a batch a killed process left running is undone by the next load or build (recover).
    """
    inbox = Path(inbox)
    recover(con)
    started = dt.datetime.now().replace(microsecond=0)
    batch_id = con.execute("select coalesce(max(batch_id), 0) + 1 from load_batches").fetchall()[0][0]
    # A file is known by its source and content once it has loaded (contract §1): a rejected file is
    # tried again when it changes or moves to another source's folder.
    known = {(source, sha): path for source, sha, path in con.execute(
        "select source, sha256, min(path) from load_files where outcome = 'loaded' group by all").fetchall()}
    # An entry still at the path, size, modification and change time it was put on record with is
    # neither read again to hash it (a province's inbox is ten gigabytes that every daily run would
    # otherwise read whole) nor recorded again.
    recorded = on_record(con)
    batch = BatchResult(batch_id, "running")
    con.execute("insert into load_batches (batch_id, inbox, started_at, outcome) values (?, ?, ?, 'running')",
                [batch_id, str(inbox), started])
    try:
        next_file_id = con.execute("select coalesce(max(file_id), 0) + 1 from load_files").fetchall()[0][0]
        files = inbox_.walk(inbox, sources)
        stamps = [(local_time(e.mtime_ns), local_time(e.ctime_ns)) for e in files]
        results = {i: FileResult(e.source, e.rel, "skipped") for i, e in enumerate(files) if is_on_record(e, recorded)}
        new = [i for i in range(len(files)) if i not in results]
        ids = {i: next_file_id + n for n, i in enumerate(new)}
        for i in new:
            if files[i].why:  # a link outside the inbox, a hidden or lock file…: on record, never read
                e = files[i]
                results[i] = not_read(e.source, e.rel, e.outcome, e.why)
                record_file(con, ids[i], batch_id, results[i], None, e.size, stamps[i])
        new = [i for i in new if not files[i].why]
        # Files are hashed while earlier ones load (hashlib lets go of the GIL), each source's next file
        # first: hashing a province's ten gigabytes before loading any took 45 s.
        hasher = ThreadPoolExecutor(1)
        try:
            place = {i: sum(files[j].source == files[i].source for j in new if j < i) for i in new}
            hashed = {i: hasher.submit(sha256_of, files[i].path, files[i].identity)
                      for i in sorted(new, key=lambda i: (place[i], i))}
            todo = [InboxFile(i, ids[i], files[i].source, files[i].path, files[i].rel, files[i].size, stamps[i],
                              files[i].identity, hashed[i]) for i in new]
            with memory_share(con, LOAD_MEMORY_SHARE):
                results |= load_in_lanes(con, todo, batch_id, progress, known)
        finally:
            hasher.shutdown(cancel_futures=True)
        batch.files = [results[i] for i in range(len(files))]
        unknown = sorted(p.name for p in inbox.iterdir() if p.is_dir() and p.name not in SOURCES) if inbox.is_dir() else []
        rejected = sum(f.outcome == "rejected" for f in batch.files)
        loaded = sum(f.outcome == "loaded" for f in batch.files)
        batch.outcome = ("nothing_new" if not loaded and not rejected else
                         "partial" if rejected else "success")
        message = "; ".join(i18n.text("file_unknown_source", "en", source=u) for u in unknown) or None
        con.execute("""update load_batches set finished_at = ?, outcome = ?, files_seen = ?, files_loaded = ?,
                           files_skipped = ?, files_rejected = ?, rows_in = ?, rows_loaded = ?, rows_quarantined = ?,
                           rows_replaced = ?, message = ? where batch_id = ?""", [
            dt.datetime.now().replace(microsecond=0), batch.outcome, len(batch.files), loaded,
            sum(f.outcome == "skipped" for f in batch.files), rejected, batch.total("rows_in"),
            batch.total("rows_loaded"), batch.total("rows_quarantined"), batch.total("rows_replaced"), message,
            batch_id])
    except BaseException as exc:
        batch.outcome = "failed"
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        undo_batch(con, batch_id, repr(exc)[:500])
        raise
    return batch


def undo_batch(con: duckdb.DuckDBPyConnection, batch_id: int, message: str) -> None:
    """Remove every row a batch loaded and record it as failed: the warehouse is as before it."""
    con.execute("begin transaction")
    for source in SOURCES:
        con.execute(f"delete from raw_{source} where _batch_id = ?", [batch_id])
    for table in ("quarantine", "load_replacements", "load_files"):
        con.execute(f"delete from {table} where batch_id = ?", [batch_id])
    con.execute("""update load_batches set outcome = 'failed', finished_at = ?, files_seen = 0, files_loaded = 0,
                       files_skipped = 0, files_rejected = 0, rows_in = 0, rows_loaded = 0, rows_quarantined = 0,
                       rows_replaced = 0, message = ? where batch_id = ?""",
                [dt.datetime.now().replace(microsecond=0), message, batch_id])
    con.execute("commit")


def recover(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Undo the batches a killed process left running; returns their ids."""
    init_warehouse(con)
    running = [r[0] for r in con.execute("select batch_id from load_batches where outcome = 'running'").fetchall()]
    for batch_id in running:
        undo_batch(con, batch_id, "interrupted: the process stopped mid-batch; undone when the warehouse was reopened")
    return running
