"""Spreadsheets: the first visible worksheet, measured before it is opened and read in a process of
its own whose memory is capped (orchestration/sheet_reader.py)."""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from core.contract import normalize_header

from .result import FileRejected, ReadResult, SheetLayout, cell_text, check_headers, columns_to_table

# Excel's own limits: a sheet beyond them was not written by Excel.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
# calamine holds a sheet as the rectangle its cells span, some 40 bytes a cell however many are empty
# (one cell at XFD1048576 asked for 550 GB): the rectangle may hold this many cells per megabyte of
# max_sheet_mb (512 MB: 20 M cells, about 0.8 GB).
CELLS_PER_MB = 40_000
# Rows are turned into Arrow columns this many at a time, so Python holds no more of them at once.
XLSX_BATCH_ROWS = 50_000
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,4})\$?([0-9]{1,10})")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _xml(z: zipfile.ZipFile, name: str):
    """A small package part parsed by lxml, entities left unexpanded and nothing fetched."""
    from lxml import etree

    if z.getinfo(name).file_size > 1 << 24:
        raise ValueError(f"{name} is larger than 16 MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(z.read(name), parser)


def _first_sheet_part(z: zipfile.ZipFile, names: tuple[str, ...] = ()) -> str | None:
    """The package part of the sheet read: the first visible one named in `names`, else the
    workbook's first visible sheet, as workbook.xml and its relationships say, read as XML (a
    comment or CDATA cannot point it elsewhere); None if they do not say."""
    from lxml import etree

    try:
        shown = [e for e in _xml(z, "xl/workbook.xml").iter(f"{_MAIN}sheet")
                 if e.get("state") not in ("hidden", "veryHidden")]
        sheet = next((e for e in shown if e.get("name") in names), shown[0] if shown else None)
        rels = _xml(z, "xl/_rels/workbook.xml.rels")
    except (KeyError, ValueError, etree.XMLSyntaxError):
        return None
    for rel in rels.iter(f"{_RELS}Relationship") if sheet is not None else ():
        if rel.get("Id") == sheet.get(_DOC_REL) and rel.get("Target"):
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return None


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def check_sheet_size(path: Path, max_mb: int, names: tuple[str, ...] = ()) -> None:
    """Refuse a spreadsheet before any of it is loaded when its first sheet has more rows or columns
    than Excel allows, spans a rectangle of more than CELLS_PER_MB × `max_mb` cells, or it or
    another part read with it (shared strings, styles) unpacks past `max_mb` megabytes: reading
    such a sheet (a 15 MB file unpacking to 3 million rows; one cell at XFD1048576) took gigabytes
    or killed the process. The parts are unpacked
    as a stream and counted, never held, so a lying size in the zip directory does not help; the
    sheet is found as calamine finds it, and if that cannot be told, every sheet is measured."""
    try:
        with zipfile.ZipFile(path) as z:
            sheet = _first_sheet_part(z, names)
            sheets = [sheet] if sheet in z.NameToInfo else [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            for name in sheets:
                _measure_sheet(z, name, max_mb)
            # every other part calamine may parse (shared strings, styles, relationships…); the
            # sheets it does not open are left alone
            others = [n for n in z.namelist() if n not in sheets and not n.startswith(("xl/worksheets/", "xl/media/"))]
            for name in others:
                for _ in _unpacked(z, name, max_mb):
                    pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise FileRejected.unreadable(exc) from None


def _unpacked(z: zipfile.ZipFile, name: str, max_mb: int) -> Iterator[bytes]:
    """A package part unpacked a megabyte at a time, refused once past `max_mb` megabytes."""
    size = 0
    with z.open(name) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > max_mb * 1_000_000:
                raise FileRejected("file_sheet_too_large", mb=max_mb)
            yield chunk


def _measure_sheet(z: zipfile.ZipFile, name: str, max_mb: int) -> None:
    rows, last_row, last_col, tail = 0, 0, 0, b""
    for chunk in _unpacked(z, name, max_mb):
        # a tag cut at the seam is found in the tail kept from the chunk before; one wholly
        # inside that tail was counted then
        text, seam = tail + chunk, len(tail)
        rows += sum(m.end() > seam for m in _ROW_TAG.finditer(text))
        refs = set(_CELL_REF.findall(text))
        if refs:
            last_col = max(last_col, max(_column_number(c) for c in {c for c, _ in refs}))
            last_row = max(last_row, max(int(r) for r in {r for _, r in refs}))
        tail = chunk[-256:]
        if max(rows, last_row) > EXCEL_ROWS or last_col > EXCEL_COLUMNS:
            raise FileRejected("file_sheet_too_many_rows", rows=f"{EXCEL_ROWS:,}", columns=f"{EXCEL_COLUMNS:,}")
        if max(rows, last_row) * max(last_col, 1) > CELLS_PER_MB * max_mb:
            raise FileRejected("file_sheet_too_large", mb=max_mb)


def read_xlsx(path: Path, layout: SheetLayout | None = None) -> ReadResult:
    """The first visible worksheet, first row the header (or a sheet of `layout`, read as it says). Its size is checked first
    (check_sheet_size, for a clear reason); then it is read in a process of its own
    (orchestration.sheet_reader) whose memory is capped at 1 GB + 2 × max_sheet_mb (a 461 MB sheet of
    7.5 M cells needed 1.5 GB of address space, 0.86 GB resident): calamine holds a sheet
    as the rectangle its cells span, and a few hundred hostile bytes can still ask it for more than
    any check foresees (a row number on the row tag alone, a five-letter column, a shared-strings
    count of 2^40). Such a sheet ends that process, not the run: it is rejected, said why."""
    import subprocess
    import sys
    import tempfile

    from core.settings import load_settings

    max_mb = load_settings().max_sheet_mb
    check_sheet_size(path, max_mb, layout.sheets if layout else ())
    limit = (1000 + 2 * max_mb) * 1_000_000
    with tempfile.TemporaryDirectory(prefix="recwatch-sheet-") as scratch:
        out = Path(scratch) / "rows.arrow"
        try:
            # a file the load holds open (/proc/self/fd/N) is handed on as that descriptor
            held = (int(path.name),) if path.parent == Path("/proc/self/fd") else ()
            done = subprocess.run([sys.executable, "-m", "orchestration.sheet_reader", str(path), str(out), str(limit),
                                   *([layout.to_json()] if layout else [])],
                                  capture_output=True, timeout=SHEET_SECONDS, stdin=subprocess.DEVNULL, pass_fds=held)
        except subprocess.TimeoutExpired:
            raise FileRejected("file_sheet_too_slow", seconds=SHEET_SECONDS) from None
        if done.returncode == REJECTED:
            said = json.loads(done.stdout)
            raise FileRejected(said["key"], **said["args"])
        if done.returncode != 0:
            raise FileRejected("file_sheet_too_large_to_read", mb=limit // 1_000_000)
        with pa.OSFile(str(out), "rb") as source:
            table = pa.ipc.open_file(source).read_all()
    return ReadResult.of(table)


# how the sheet reader says a file is rejected (its reason as JSON on its output), and how long it may take
REJECTED = 3
SHEET_SECONDS = 600


def read_sheet(path: Path, layout: SheetLayout | None = None) -> pa.Table:
    """The rows of a spreadsheet's first visible worksheet (not a hidden one, not a chart) as Arrow
    text columns with their row numbers; run by orchestration.sheet_reader in its own process.

    A workbook with a visible sheet `layout` names is read there instead: its header is the first
    row, of the first SheetLayout.HEADER_WITHIN, that names every required column, and its table
    ends before the first row after it with none of them filled in."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    start, named = 1, None
    try:
        book = CalamineWorkbook.from_path(str(path))
        shown = [i for i, m in enumerate(book.sheets_metadata)
                 if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
        if not shown:
            raise FileRejected("file_no_sheet")
        if layout:
            named = next((i for i in shown if book.sheets_metadata[i].name in layout.sheets), None)
        rows = book.get_sheet_by_index(shown[0] if named is None else named).iter_rows()
        first = next(rows, None)
        if named is not None:
            while first is not None and start < layout.HEADER_WITHIN and not layout.is_header(first):
                first, start = next(rows, None), start + 1
            if first is None or not layout.is_header(first):
                raise FileRejected("file_no_header_row", sheet=book.sheets_metadata[named].name,
                                   rows=layout.HEADER_WITHIN)
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected.unreadable(exc) from None
    if not first or not any(c not in (None, "") for c in first):
        raise FileRejected("file_empty")
    header = [cell_text(h) or "" for h in first]
    while header and header[-1] == "":
        header.pop()
    check_headers(header)
    batches, body, numbers = [], [], []

    def flush() -> None:
        columns = {h: [r[i] if i < len(r) else None for r in body] for i, h in enumerate(header)}
        batches.append(columns_to_table(columns, numbers))
        body.clear()
        numbers.clear()

    required = ([i for i, h in enumerate(header) if any(normalize_header(h) in r for r in layout.required)]
                if named is not None else [])
    for n, row in enumerate(rows, start=start + 1):
        if any(c not in (None, "") for c in row):  # blank lines in a sheet are layout, not data
            if required and all(i >= len(row) or row[i] in (None, "") for i in required):
                break  # the notes below the table
            body.append(row)
            numbers.append(n)
            if len(body) == XLSX_BATCH_ROWS:
                flush()
    flush()
    return pa.concat_tables(batches)


# A line with more brackets than this is checked to be nested shallowly enough to be kept as JSON text
# (Python's json stops at about a thousand levels; orjson reads up to 1,024).
