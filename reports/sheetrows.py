"""Rows of a long table sheet written as SpreadsheetML by DuckDB and spliced into the package openpyxl
saved.

openpyxl spends some 15 µs of Python on every cell, which for a year's findings at scale M
(350 000 rows × 15 columns) was most of the workbook's minute. Here one SQL query builds each row's
<row> element in DuckDB's threads, and the rows are streamed into the sheet's part while the package
is copied. openpyxl still writes the whole workbook: the sheet with its title, header, widths,
filter and print set-up, and the styles the rows point to. The cells are the ones openpyxl writes in
write-only mode (inline strings; date-times as serial day numbers with a number-format style), so
Excel, LibreOffice and openpyxl read the same values as before.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa
from openpyxl.utils import get_column_letter

from core.output import safe_text_sql
from core.privacy import STRIPPED_RE2
from core.sql import ident

TEXT = "text"
NUMBER = "number"
DATETIME = "datetime"

# Rows are fetched from DuckDB this many at a time, as Arrow batches.
BATCH_ROWS = 20_000
# Deflate level of the parts the rows go into (the rest keeps zlib's default, 6). Compressing the
# rows is most of the time left: a year's findings at scale M (330 MB of XML) take 3.1 s at level 5
# for 31.9 MB, 4.9 s at 6 for 30.9 MB, 1.3 s at 1 for 42.7 MB (one core).
COMPRESS_LEVEL = 5
# A part over 2 GiB needs Zip64 headers, which must be chosen before its size is known: parts with
# room for more rows than this at 4 KiB a row get them, smaller ones stay plain zip.
_ZIP64_ROWS = (zipfile.ZIP64_LIMIT + 1) // 4096


def xml_text(col: str) -> str:
    """The escaped element content of text already made safe (safe_text_sql, which drops what XML
    cannot carry); the regular expression first, as almost no value needs the replaces."""
    escaped = f"replace(replace(replace(replace({col}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), chr(13), '&#13;')"
    return f"case when regexp_matches({col}, '[&<>\\r]') then {escaped} else {col} end"


def safe_columns(names: list[str]) -> str:
    """`replace (...)` for a `select *`: the text columns `names`, as text, made safe (safe_text_sql)."""
    texts = [ident(name) for name in names]
    return ("replace (" + ", ".join(f"{safe_text_sql(f'cast({t} as varchar)')} as {t}" for t in texts) + ")"
            if texts else "")


def _serial(col: str) -> str:
    """openpyxl's to_excel: days since 1899-12-30 (less one before 1900-03-01, Excel's phantom
    1900-02-29) plus the time of day over 86 400, in the same double arithmetic, so the same number."""
    days = (f"date_diff('day', DATE '1899-12-30', {col}::date) "
            f"- ({col} >= TIMESTAMP '1899-12-31' and {col} < TIMESTAMP '1900-03-01')::int")
    seconds = f"hour({col}) * 3600 + minute({col}) * 60 + second({col}) + microsecond({col}) % 1000000 / 1e6"
    return f"({days} + ({seconds}) / 86400)::varchar"


def _cell(col: str, kind: str, letter: str, style: int | None) -> str:
    ref = f"'<c r=\"{letter}', _r"
    s = f' s=\"{style}\"' if style else ""
    if kind == DATETIME:
        return f"case when {col} is not null then concat({ref}, '\"{s} t=\"n\"><v>', {_serial(col)}, '</v></c>') end"
    if kind == NUMBER:
        return f"case when {col} is not null then concat({ref}, '\"{s} t=\"n\"><v>', {col}::varchar, '</v></c>') end"
    if kind != TEXT:
        raise ValueError(f"unknown cell kind {kind!r}")
    # openpyxl marks text with leading or trailing whitespace (str.strip's) to be kept as it is
    space = (f"case when regexp_matches({col}, '^[{STRIPPED_RE2}]|[{STRIPPED_RE2}]$') "
             "then '<t xml:space=\"preserve\">' else '<t>' end")
    return (f"case when {col} <> '' then concat({ref}, '\"{s} t=\"inlineStr\"><is>', {space}, {xml_text(col)}, "
            "'</t></is></c>') end")


def _height(wrapped: list[tuple[str, int]], line_pt: float) -> str:
    """The row's height attributes where its wrapped text needs more than one line (a row does not
    grow by itself in LibreOffice): the lines each text takes in its column's width, counting a
    CJK character (three UTF-8 bytes) two units wide, as tables.display_width does."""
    lines = ", ".join(f"coalesce(ceil((length({ident(c)}) + (strlen({ident(c)}) - length({ident(c)})) / 2) "
                      f"/ {max(width - 1, 1)}), 1)" for c, width in wrapped)
    return (f"list_transform([greatest(1, {lines})], lambda n: case when n > 1 then concat(' ht=\"', "
            f"round(n * {line_pt * 1.45} + 3, 1), '\" customHeight=\"1\"') else '' end)[1]")


def rows_sql(query: str, columns: list[tuple[str, str, int | None]], order_by: str, first_row: int, per_sheet: int,
             section: tuple[str, int | None] | tuple[str, int | None, int] | None = None,
             wrapped: list[tuple[str, int]] = (),
             line_pt: float = 11) -> str:
    """SQL giving each row of `query` as its <row> XML, in the order of `order_by` (over the query's
    column names): `columns` are (name, TEXT | NUMBER | DATETIME, cellXfs style index or None) in
    sheet order, `per_sheet` rows go to a sheet, the first on sheet row `first_row`. Empty and null
    values leave no cell, as in openpyxl; a date-time's style must carry its number format. With
    `section` (a text column of the query, a style), a row where that column is not null is a
    section's heading: that text alone, in column A; with a third item, a width, the heading row is
    as high as its text needs wrapped in that width (which the caller merges it over). A row is made
    as high as the `wrapped` text columns (name, width) need at `line_pt` a line."""
    cells = ", ".join(_cell(ident(name), kind, get_column_letter(i), style)
                      for i, (name, kind, style) in enumerate(columns, 1))
    # text is made safe after the sort, which stays on the values as they are
    safe = safe_columns([name for name, kind, _ in columns if kind == TEXT] + ([section[0]] if section else []))
    height = _height(list(wrapped), line_pt) if wrapped else "''"
    row = f"concat('<row r=\"', _r, '\"', {height}, '>', {cells}, '</row>')"
    if section:
        tall = _height([(section[0], section[2])], line_pt) if len(section) > 2 else "''"
        heading = f"concat('<row r=\"', _r, '\"', {tall}, '>', {_cell(ident(section[0]), TEXT, 'A', section[1])}, '</row>')"
        row = f"case when {ident(section[0])} is not null then {heading} else {row} end"
    # Sorted once, on the values; the XML is built after the sort, row by row as the rows are fetched,
    # never held sorted. Both steps keep the sorted order (a projection, and row_number over an
    # empty window, preserve it: DuckDB's "order preservation").
    return f"""
        with ordered as (select * from ({query}) order by {order_by}),
        numbered as (select *, row_number() over () - 1 as _i from ordered),
        placed as (select * {safe}, (_i % {per_sheet} + {first_row})::varchar as _r from numbered)
        select {row} as xml from placed"""


def row_batches(con, sql: str, params: dict, rows: int = BATCH_ROWS) -> Iterator[pa.Array]:
    """The <row> strings of rows_sql as Arrow arrays, `rows` at a time: their text stays in DuckDB's
    buffers, never a Python string per row. DuckDB builds the next batches on a second thread while
    the caller compresses this one (both let go of the GIL), so the two cores share the work."""
    reader = con.sql(sql, params=params).to_arrow_reader(rows)
    return _read_ahead(batch.column(0) for batch in reader)


_DONE = object()


def _read_ahead(items: Iterator, depth: int = 2) -> Iterator:
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    worker = threading.Thread(target=produce, name="sheetrows-read-ahead", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # a consumer that stops early must not leave the reader running on a closing connection
        worker.join()


def _utf8(xml: pa.Array) -> pa.Buffer:
    """The strings of `xml` end to end, which is a slice of its character buffer: no copy."""
    if xml.null_count:
        raise ValueError("a row without XML")
    if pa.types.is_string(xml.type) or pa.types.is_large_string(xml.type):
        _, offsets, data = xml.buffers()
        width = np.int32 if pa.types.is_string(xml.type) else np.int64
        first, last = np.frombuffer(offsets, dtype=width)[[xml.offset, xml.offset + len(xml)]]
        return data.slice(int(first), int(last - first))
    return _utf8(xml.cast(pa.string()))


def splice(package: Path, out: Path, parts: list[tuple[str, int]], batches: Iterable[pa.Array]) -> None:
    """Write `out` as a copy of the zip package `package` with rows put into sheet parts: parts[k] is
    (part name, how many rows), and the rows of `batches` (from row_batches) fill the parts in that
    order. The rows must come out as counted, or the filters and the split the cover states would be
    wrong: a mismatch raises."""
    targets = {name: k for k, (name, _) in enumerate(parts)}
    pending = iter(batches)
    with contextlib.closing(pending) if hasattr(pending, "close") else contextlib.nullcontext():
        _splice(package, out, parts, targets, pending)


def _splice(package: Path, out: Path, parts: list[tuple[str, int]], targets: dict[str, int],
            pending: Iterator[pa.Array]) -> None:
    rest = pa.array([], pa.string())
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                          compresslevel=COMPRESS_LEVEL) as dst:
        for info in src.infolist():
            if info.filename not in targets:
                dst.writestr(info, src.read(info))
                continue
            need = parts[targets[info.filename]][1]
            head, sep, tail = src.read(info).partition(b"</sheetData>")
            if not sep:
                raise ValueError(f"{info.filename} has no sheetData to put rows in")
            with dst.open(info.filename, "w", force_zip64=need > _ZIP64_ROWS) as part:
                part.write(head)
                left = need
                while left:
                    if not len(rest) and (rest := next(pending, None)) is None:
                        raise ValueError(f"{info.filename}: {need - left} rows written, {need} expected")
                    take = rest.slice(0, left)
                    part.write(_utf8(take))
                    left -= len(take)
                    rest = rest.slice(len(take))
                part.write(sep + tail)
    if len(rest) or any(len(b) for b in pending):
        raise ValueError(f"rows left over beyond the {sum(n for _, n in parts)} laid out")
