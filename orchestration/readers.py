"""One reader per input format. Each gives a file's headers as delivered (with their types), the
rows with the row number of each, and the records that could not even be split into fields (those
go to quarantine). The rows are an Arrow table, or for Parquet, which DuckDB reads itself, the
table function that reads them. A file that cannot be read at all raises FileRejected."""

from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import json
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from core import i18n

ROW_NUMBER = "_row_number"
# Python's csv module stops at 128 KB a field; Arrow reads any. Set once, for every reading alike.
csv.field_size_limit(1 << 30)


class FileRejected(Exception):
    """The whole file is unusable; carries a catalogue message key and its arguments."""

    def __init__(self, key: str, **args):
        super().__init__(i18n.text(key, "en", **args))
        self.key, self.args_ = key, args

    def message(self, lang: str) -> str:
        return i18n.text(self.key, lang, **self.args_)

    @classmethod
    def unreadable(cls, exc: BaseException) -> "FileRejected":
        """The file cannot be read, as the error `exc` (its first line) says."""
        return cls("file_unreadable", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


@dataclass
class BrokenRow:
    row_number: int | None
    text: str
    reason: str  # catalogue key
    args: dict = field(default_factory=dict)
    data: bytes | None = None  # the line's bytes, where they could not be decoded

    def raw(self) -> str:
        """The row as quarantine keeps it: its text, and its exact bytes where they did not decode."""
        kept = {"line": self.text}
        if self.data is not None:
            kept["bytes_base64"] = base64.b64encode(self.data).decode("ascii")
        return json.dumps(kept, ensure_ascii=False)


@dataclass
class ReadResult:
    schema: pa.Schema  # delivered headers and their types, plus ROW_NUMBER (int64)
    num_rows: int
    rows: pa.Table | str  # an Arrow table of that schema, or SQL (a table function) that yields it
    encoding: str | None = None
    broken: list[BrokenRow] = field(default_factory=list)

    @classmethod
    def of(cls, table: pa.Table, encoding: str | None = None, broken: list[BrokenRow] | None = None) -> "ReadResult":
        return cls(table.schema, table.num_rows, table, encoding, broken or [])

    def row_numbers(self) -> np.ndarray:
        if isinstance(self.rows, pa.Table):
            return self.rows.column(ROW_NUMBER).to_numpy()
        return np.arange(1, self.num_rows + 1, dtype=np.int64)


SAMPLE_BYTES = 1 << 20
ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030"}


_EOL = re.compile(rb"\r\n|\r|\n")


def lines_of(path: Path, universal: bool = True, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The file's lines as bytes, each with its end: with `universal`, CRLF, LF or a CR alone (as
    Arrow's and Python's csv readers take them for CSV; no byte of a UTF-8 or GB18030 character is
    either); else at LF only (JSON lines, where a CR cannot be inside a value)."""
    if not universal:
        with open(path, "rb") as fh:
            yield from fh
        return
    with open(path, "rb") as fh:
        rest = b""
        while data := fh.read(chunk):
            data, start = rest + data, 0
            for end in _EOL.finditer(data):
                if end.end() == len(data) and data.endswith(b"\r"):
                    break  # a CR at the end of what was read may be the first half of a CRLF
                yield data[start:end.end()]
                start = end.end()
            rest = data[start:]
        if rest:
            yield rest


def _valid(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def is_utf8_prefix(path: Path) -> bool:
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return True
    except UnicodeDecodeError:
        return False


# Chinese characters (the unified ideographs, their extensions and compatibility forms)
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass
class Decoding:
    """How a text file is decoded, decided over all of it (contract §1): its encoding, and the lines
    (numbered from 1) that are quarantined with their bytes instead, never loaded decoded some other
    way: those not valid in it, and (`ambiguous`) those of a GB18030 file that read as Chinese in
    UTF-8 too."""
    encoding: str
    bad_lines: dict[int, bytes] = field(default_factory=dict)
    ambiguous: frozenset[int] = frozenset()

    def broken_row(self, first: int, last: int, text: str) -> BrokenRow | None:
        """The quarantined row of a record on lines `first`..`last` that holds a bad line, if any."""
        bad = [n for n in range(first, last + 1) if n in self.bad_lines]
        if not bad:
            return None
        key = "row_encoding_ambiguous" if self.ambiguous.intersection(bad) else "row_encoding"
        return BrokenRow(first, text, key, {"encoding": ENCODINGS[self.encoding]},
                         b"".join(self.bad_lines[n] for n in bad))

    def broken(self) -> list[BrokenRow]:
        """Each bad line as a quarantined row of its own (files of one record a line)."""
        return [self.broken_row(n, n, data.decode("utf-8", "backslashreplace").rstrip("\r\n"))
                for n, data in sorted(self.bad_lines.items())]


def decide_encoding(path: Path, universal: bool = True) -> Decoding:
    """UTF-8 (BOM or not) or GB18030 (a superset of GBK and GB2312), from every line of the file.

    A line of only ASCII says nothing. Of the others, those valid UTF-8 count for UTF-8, those valid
    only as GB18030 for GB18030, and the file takes the encoding more of them are valid in (UTF-8 on
    a tie). Its lines not valid in it are quarantined. So is a line of a GB18030 file that is valid
    UTF-8 holding Chinese characters: GB18030 text is valid UTF-8 now and then (校时 reads as Уʱ),
    but rarely as Chinese, which is what a UTF-8 line pasted into a GB18030 file holds; which it is
    cannot be told, so it is not loaded either way. A file none of whose non-ASCII lines is valid
    in either is rejected."""
    utf8, gb, neither = {}, {}, {}
    for n, line in enumerate(lines_of(path, universal), start=1):
        if line.isascii():
            continue
        (utf8 if _valid(line, "utf-8") else gb if _valid(line, "gb18030") else neither)[n] = line
    if not utf8 and not gb and neither:
        raise FileRejected("file_encoding")
    if len(utf8) >= len(gb):
        return Decoding("utf-8", gb | neither)
    ambiguous = {n for n, line in utf8.items() if _valid(line, "gb18030") and _CJK.search(line.decode("utf-8"))}
    # a line valid UTF-8 only is not text of the file's encoding at all
    bad = neither | {n: line for n, line in utf8.items() if n in ambiguous or not _valid(line, "gb18030")}
    return Decoding("gb18030", bad, frozenset(ambiguous))


_NON_ASCII = re.compile(rb"[\x80-\xff]+")


def decoded_lines(path: Path, decoding: Decoding) -> list[str]:
    """The file's lines as text: its good lines decoded, its bad lines with every run of non-ASCII
    bytes written as one U+FFFD, so a bad line keeps the quotes, commas and line breaks that shape
    the records (none of them is ever part of a multi-byte character) and no text of it loads."""
    out = []
    for n, line in enumerate(lines_of(path), start=1):
        if n in decoding.bad_lines:
            out.append(_NON_ASCII.sub("\ufffd".encode(), line).decode("utf-8"))
        else:
            out.append(line.decode("utf-8-sig" if n == 1 and decoding.encoding == "utf-8" else decoding.encoding))
    return out


def arrow_of(values: np.ndarray) -> pa.Array:
    """A numpy array of numbers as an Arrow array, sharing its memory. Not pa.array: handed a numpy
    array, pyarrow first imports pandas to look for pandas types, half a second of a daily run."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def line_numbers(first: int, count: int) -> pa.Array:
    # from a Python range, pyarrow takes 0.2 s per million rows; a numpy range is ten times quicker
    return arrow_of(np.arange(first, first + count, dtype=np.int64))


def read_csv(path: Path) -> ReadResult:
    # A file valid UTF-8 throughout, almost every one, is read once: Arrow checks every value.
    if is_utf8_prefix(path):
        try:
            return _read_csv(path, "utf-8")
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc):
                raise FileRejected.unreadable(exc) from None
        except UnicodeDecodeError:  # in the header
            pass
    decoding = decide_encoding(path)
    if decoding.bad_lines:
        return _read_mixed_csv(path, decoding)
    try:
        return _read_csv(path, decoding.encoding)
    except pa.ArrowInvalid as exc:
        raise FileRejected.unreadable(exc) from None
    except UnicodeDecodeError:
        raise FileRejected("file_encoding") from None


def _read_csv(path: Path, encoding: str) -> ReadResult:
    """The rows of a CSV file every line of which is valid in `encoding`, read by Arrow."""
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
        header = next(csv.reader(fh), [])
    if not header or not any(h.strip() for h in header):
        raise FileRejected("file_empty")
    check_headers(header)
    broken: list[BrokenRow] = []

    def on_invalid(row):
        broken.append(BrokenRow(row.number, row.text, "row_field_count",
                                {"expected": row.expected_columns, "actual": row.actual_columns}))
        return "skip"

    def read(threads: bool, block_size: int | None = None) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, use_threads=threads, block_size=block_size),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
            ),
        )

    block_size = None  # Arrow's, 1 MB
    try:
        table = read(True)
    except pa.ArrowInvalid as exc:
        if "straddling" not in str(exc):
            raise
        # a field longer than a block: read again in blocks that hold the whole file
        broken.clear()
        block_size = min(max(path.stat().st_size + 1, 1 << 20), 1 << 30)
        table = read(True, block_size)
    if broken:
        # Only a single-threaded read knows the line numbers of the rows it skipped.
        broken.clear()
        table = read(False, block_size)
        skipped = {b.row_number for b in broken}
        numbers, line = [], 1
        while len(numbers) < table.num_rows:
            line += 1
            if line not in skipped:
                numbers.append(line)
        numbers = pa.array(numbers, pa.int64())
    else:
        numbers = line_numbers(2, table.num_rows)
    table = table.append_column(ROW_NUMBER, numbers)
    return ReadResult.of(table, encoding, broken)


def _read_mixed_csv(path: Path, decoding: Decoding) -> ReadResult:
    """A CSV file with lines not valid in its encoding (rare), read by Python's csv module, which
    tells each record's first and last line: a record any of whose lines is bad is quarantined whole,
    with those lines' bytes, never loaded with the line left out; the others load, numbered by the
    line they start on."""
    if 1 in decoding.bad_lines:
        raise FileRejected("file_encoding")  # the header itself
    lines = decoded_lines(path, decoding)
    reader = csv.reader(iter(lines))
    header = next(reader, [])
    if not header or not any(h.strip() for h in header):
        raise FileRejected("file_empty")
    check_headers(header)
    values: list[list[str]] = [[] for _ in header]
    numbers, broken, last = [], [], reader.line_num
    while True:
        try:
            record, error = next(reader), None
        except StopIteration:
            break
        except csv.Error as exc:  # a carriage return alone inside a field, say
            record, error = None, str(exc)
        first, last = last + 1, reader.line_num
        text = "".join(lines[first - 1:last]).rstrip("\r\n")
        bad = decoding.broken_row(first, last, text)
        if error is not None:
            broken.append(BrokenRow(first, text, "row_bad_csv", {"error": error}, bad.data if bad else None))
        elif bad:
            broken.append(bad)
        elif not record:
            continue  # a blank line
        elif len(record) != len(header):
            broken.append(BrokenRow(first, text, "row_field_count", {"expected": len(header), "actual": len(record)}))
        else:
            for column, value in zip(values, record):
                column.append(value)
            numbers.append(first)
    table = pa.table({h: pa.array(v, pa.string()) for h, v in zip(header, values)})
    return ReadResult.of(table.append_column(ROW_NUMBER, pa.array(numbers, pa.int64())), decoding.encoding, broken)


def _cell_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _text_column(values) -> pa.Array:
    # Most cells already are non-empty text: they skip the call (a third of reading a JSONL file).
    return pa.array([v if type(v) is str and v else _cell_text(v) for v in values], pa.string())


def _columns_to_table(columns: dict[str, list], numbers: list[int]) -> pa.Table:
    """Cell values by header (any Python values, as text), plus the row numbers."""
    arrays = {h: _text_column(values) for h, values in columns.items()}
    arrays[ROW_NUMBER] = pa.array(numbers, pa.int64())
    return pa.table(arrays)


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


def _first_sheet_part(z: zipfile.ZipFile) -> str | None:
    """The package part of the workbook's first visible sheet (the one read), as workbook.xml and
    its relationships say, read as XML (a comment or CDATA cannot point it elsewhere); None if they
    do not say."""
    from lxml import etree

    try:
        sheet = next((e for e in _xml(z, "xl/workbook.xml").iter(f"{_MAIN}sheet")
                      if e.get("state") not in ("hidden", "veryHidden")), None)
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


def check_sheet_size(path: Path, max_mb: int) -> None:
    """Refuse a spreadsheet before any of it is loaded when its first sheet has more rows or columns
    than Excel allows, spans a rectangle of more than CELLS_PER_MB × `max_mb` cells, or it or
    another part read with it (shared strings, styles) unpacks past `max_mb` megabytes: reading
    such a sheet (a 15 MB file unpacking to 3 million rows; one cell at XFD1048576) took gigabytes
    or killed the process. The parts are unpacked
    as a stream and counted, never held, so a lying size in the zip directory does not help; the
    sheet is found as calamine finds it, and if that cannot be told, every sheet is measured."""
    try:
        with zipfile.ZipFile(path) as z:
            sheet = _first_sheet_part(z)
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


def read_xlsx(path: Path) -> ReadResult:
    """The first visible worksheet, first row the header. Its size is checked first
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
    check_sheet_size(path, max_mb)
    limit = (1000 + 2 * max_mb) * 1_000_000
    with tempfile.TemporaryDirectory(prefix="recwatch-sheet-") as scratch:
        out = Path(scratch) / "rows.arrow"
        try:
            # a file the load holds open (/proc/self/fd/N) is handed on as that descriptor
            held = (int(path.name),) if path.parent == Path("/proc/self/fd") else ()
            done = subprocess.run([sys.executable, "-m", "orchestration.sheet_reader", str(path), str(out), str(limit)],
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


def read_sheet(path: Path) -> pa.Table:
    """The rows of a spreadsheet's first visible worksheet (not a hidden one, not a chart) as Arrow
    text columns with their row numbers; run by orchestration.sheet_reader in its own process."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        shown = [i for i, m in enumerate(book.sheets_metadata)
                 if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
        if not shown:
            raise FileRejected("file_no_sheet")
        rows = book.get_sheet_by_index(shown[0]).iter_rows()
        first = next(rows, None)
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected.unreadable(exc) from None
    if not first or not any(c not in (None, "") for c in first):
        raise FileRejected("file_empty")
    header = [_cell_text(h) or "" for h in first]
    while header and header[-1] == "":
        header.pop()
    check_headers(header)
    batches, body, numbers = [], [], []

    def flush() -> None:
        columns = {h: [r[i] if i < len(r) else None for r in body] for i, h in enumerate(header)}
        batches.append(_columns_to_table(columns, numbers))
        body.clear()
        numbers.clear()

    for n, row in enumerate(rows, start=2):
        if any(c not in (None, "") for c in row):  # blank lines in a sheet are layout, not data
            body.append(row)
            numbers.append(n)
            if len(body) == XLSX_BATCH_ROWS:
                flush()
    flush()
    return pa.concat_tables(batches)


# A line with more brackets than this is checked to be nested shallowly enough to be kept as JSON text
# (Python's json stops at about a thousand levels; orjson reads up to 1,024).
NESTED = 200


def _shallow(obj) -> bool:
    try:
        json.dumps(obj)
        return True
    except RecursionError:
        return False


def read_jsonl(path: Path) -> ReadResult:
    # Read as UTF-8 first, as almost every file is; a line that is not makes the encoding a decision
    # over the whole file (decide_encoding), and the file is read again by it.
    return (_read_jsonl(path, Decoding("utf-8"), whole=False)
            or _read_jsonl(path, decide_encoding(path, universal=False)))


def _read_jsonl(path: Path, decoding: Decoding, whole: bool = True) -> ReadResult | None:
    """The objects of a JSON-lines file decoded as `decoding` says; None if, not `whole` (decided
    over the file), a line turns out not to be UTF-8."""
    header: dict[str, None] = {}
    records, numbers, broken = [], [], []
    for n, line in enumerate(lines_of(path, universal=False), start=1):
        if n in decoding.bad_lines:
            continue
        if n == 1 and line.startswith(codecs.BOM_UTF8) and decoding.encoding == "utf-8":
            line = line[len(codecs.BOM_UTF8):]
        if not line.strip():
            continue
        # orjson takes UTF-8 bytes as they are (and checks them): a province's year of acts is
        # millions of lines, 3x json's speed
        data = line if decoding.encoding == "utf-8" else line.decode(decoding.encoding)
        try:
            obj, error = orjson.loads(data), None
        except orjson.JSONDecodeError as exc:
            if not whole and not _valid(line, "utf-8"):
                return None
            obj, error = None, exc.msg
        if error is None and not isinstance(obj, dict):
            error = "not an object"
        elif error is None and line.count(b"{") + line.count(b"[") > NESTED and not _shallow(obj):
            error = "nested too deep"
        if error is not None:
            text = line.decode(decoding.encoding, "backslashreplace").rstrip("\r\n")
            broken.append(BrokenRow(n, text, "row_bad_json", {"error": error}))
            continue
        header.update(dict.fromkeys(obj))
        records.append(obj)
        numbers.append(n)
    broken = decoding.broken() + broken
    if not records and not broken:
        raise FileRejected("file_empty")
    check_headers(list(header))
    columns = {h: [r.get(h) for r in records] for h in header}
    return ReadResult.of(_columns_to_table(columns, numbers), decoding.encoding, broken)


def read_parquet(path: Path) -> ReadResult:
    """Only the footer is read here (headers, types, row count): DuckDB reads the rows straight from
    the file as it loads them. Through an Arrow table a city's year of Parquet took 5 CPU-seconds more
    to load, and a month of a province's device log sat in Python's memory as 1.6 GB beside DuckDB's."""
    try:
        meta = pq.ParquetFile(path)
        schema, num_rows = meta.schema_arrow, meta.metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise FileRejected.unreadable(exc) from None
    if len(schema) == 0:
        raise FileRejected("file_empty")
    check_headers(schema.names)
    if "file_row_number" in schema.names or any(_CONTROL.search(h) for h in schema.names):
        # DuckDB's row-number option cannot sit beside a column of that name, and SQL cannot name a
        # column with a control character: such a file goes through Arrow
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise FileRejected.unreadable(exc) from None
        return ReadResult.of(table.append_column(ROW_NUMBER, line_numbers(1, table.num_rows)))
    quoted = "'" + str(path.absolute()).replace("'", "''") + "'"  # not resolved: it may be an open /proc/self/fd
    scan = (f"(select * exclude (file_row_number), file_row_number + 1 as {ROW_NUMBER} "
            f"from read_parquet({quoted}, file_row_number = true))")
    return ReadResult(schema.append(pa.field(ROW_NUMBER, pa.int64())), num_rows, scan)


READERS = {"csv": read_csv, "xlsx": read_xlsx, "jsonl": read_jsonl, "parquet": read_parquet}


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _plain(header: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", header)


# No export has this many columns (the widest source has two dozen); unknown ones are kept as text.
MAX_COLUMNS = 1000


def check_headers(headers: list[str]) -> None:
    """Headers a file may have: no two alike, also by letter case once control characters are
    written as escapes (DuckDB's names ignore case: Note and NOTE failed the whole batch), and none
    that recwatch keeps for itself (a delivered _row_number would forge the rows' line numbers)."""
    if len(headers) > MAX_COLUMNS:  # ten thousand unknown columns ran the load out of memory
        raise FileRejected("file_too_many_columns", n=f"{len(headers):,}", max=f"{MAX_COLUMNS:,}")
    folded = [_plain(h).casefold() for h in headers]
    twice = sorted({h for h, f in zip(headers, folded) if folded.count(f) > 1})
    if twice:
        raise FileRejected("file_duplicate_header", header=", ".join(_plain(h) for h in twice))
    if ROW_NUMBER in folded:
        raise FileRejected("file_reserved_header", header=ROW_NUMBER)


def _plain_headers(result: ReadResult) -> ReadResult:
    """Control characters in headers written as escapes (\\x00): a header reaches SQL as a name,
    and DuckDB takes no NUL in one."""
    names = [_plain(h) for h in result.schema.names]
    if names == result.schema.names:
        return result
    table = result.rows.rename_columns(names)
    return ReadResult(table.schema, result.num_rows, table, result.encoding, result.broken)


def read(path: Path, suffix: str | None = None) -> ReadResult:
    """The file at `path`, read by the reader of its format (`suffix`, default the path's own)."""
    fmt = (path.suffix if suffix is None else suffix).lower().lstrip(".")
    if fmt not in READERS:
        raise FileRejected("file_format", suffix=path.suffix if suffix is None else suffix)
    return _plain_headers(READERS[fmt](path))
