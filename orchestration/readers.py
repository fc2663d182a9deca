"""One reader per input format. Each gives a file's headers as delivered (with their types), the
rows with the row number of each, and the records that could not even be split into fields (those
go to quarantine). The rows are an Arrow table, or for Parquet, which DuckDB reads itself, the
table function that reads them. A file that cannot be read at all raises FileRejected."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import i18n

ROW_NUMBER = "_row_number"


class FileRejected(Exception):
    """The whole file is unusable; carries a catalogue message key and its arguments."""

    def __init__(self, key: str, **args):
        super().__init__(i18n.text(key, "en", **args))
        self.key, self.args_ = key, args

    def message(self, lang: str) -> str:
        return i18n.text(self.key, lang, **self.args_)


@dataclass
class BrokenRow:
    row_number: int | None
    text: str
    reason: str  # catalogue key
    args: dict = field(default_factory=dict)


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


def detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) if the opening megabyte decodes as UTF-8, else GB18030 (a superset
    of GBK and GB2312). A later non-UTF-8 byte makes read_csv retry as GB18030."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRejected("file_encoding") from None


def arrow_of(values: np.ndarray) -> pa.Array:
    """A numpy array of numbers as an Arrow array, sharing its memory. Not pa.array: handed a numpy
    array, pyarrow first imports pandas to look for pandas types, half a second of a daily run."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def line_numbers(first: int, count: int) -> pa.Array:
    # from a Python range, pyarrow takes 0.2 s per million rows; a numpy range is ten times quicker
    return arrow_of(np.arange(first, first + count, dtype=np.int64))


def _csv_header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
        import csv

        return next(csv.reader(fh), [])


def read_csv(path: Path) -> ReadResult:
    encoding = detect_encoding(path)
    try:
        return _read_csv(path, encoding)
    except pa.ArrowInvalid as exc:
        if encoding == "utf-8" and "UTF8" in str(exc):
            try:
                return _read_csv(path, "gb18030")
            except (pa.ArrowInvalid, UnicodeDecodeError):
                raise FileRejected("file_encoding") from None
        raise FileRejected("file_unreadable", error=str(exc).splitlines()[0]) from None
    except UnicodeDecodeError:
        raise FileRejected("file_encoding") from None


def _read_csv(path: Path, encoding: str) -> ReadResult:
    header = _csv_header(path, encoding)
    if not header or not any(h.strip() for h in header):
        raise FileRejected("file_empty")
    if len(set(header)) != len(header):
        raise FileRejected("file_duplicate_header", header=", ".join(sorted({h for h in header if header.count(h) > 1})))
    broken: list[BrokenRow] = []

    def on_invalid(row):
        broken.append(BrokenRow(row.number, row.text, "row_field_count",
                                {"expected": row.expected_columns, "actual": row.actual_columns}))
        return "skip"

    def read(threads: bool) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, use_threads=threads),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
            ),
        )

    table = read(True)
    if broken:
        # Only a single-threaded read knows the line numbers of the rows it skipped.
        broken.clear()
        table = read(False)
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


def read_xlsx(path: Path) -> ReadResult:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected("file_unreadable", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if not rows or not any(c not in (None, "") for c in rows[0]):
        raise FileRejected("file_empty")
    header = [_cell_text(h) or "" for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if len(set(header)) != len(header):
        raise FileRejected("file_duplicate_header", header=", ".join(sorted({h for h in header if header.count(h) > 1})))
    body, numbers = [], []
    for n, row in enumerate(rows[1:], start=2):
        if any(c not in (None, "") for c in row):  # blank lines in a sheet are layout, not data
            body.append(row)
            numbers.append(n)
    columns = {h: [r[i] if i < len(r) else None for r in body] for i, h in enumerate(header)}
    return ReadResult.of(_columns_to_table(columns, numbers))


def read_jsonl(path: Path) -> ReadResult:
    header: dict[str, None] = {}
    records, numbers, broken = [], [], []
    encoding = detect_encoding(path)
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding) as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)  # a province's year of acts is millions of lines: 3x json's speed
            except orjson.JSONDecodeError as exc:
                broken.append(BrokenRow(n, line.rstrip("\n"), "row_bad_json", {"error": exc.msg}))
                continue
            if not isinstance(obj, dict):
                broken.append(BrokenRow(n, line.rstrip("\n"), "row_bad_json", {"error": "not an object"}))
                continue
            header.update(dict.fromkeys(obj))
            records.append(obj)
            numbers.append(n)
    if not records and not broken:
        raise FileRejected("file_empty")
    columns = {h: [r.get(h) for r in records] for h in header}
    return ReadResult.of(_columns_to_table(columns, numbers), encoding, broken)


def read_parquet(path: Path) -> ReadResult:
    """Only the footer is read here (headers, types, row count): DuckDB reads the rows straight from
    the file as it loads them. Through an Arrow table a city's year of Parquet took 5 CPU-seconds more
    to load, and a month of a province's device log sat in Python's memory as 1.6 GB beside DuckDB's."""
    try:
        meta = pq.ParquetFile(path)
        schema, num_rows = meta.schema_arrow, meta.metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise FileRejected("file_unreadable", error=str(exc).splitlines()[0]) from None
    if len(schema) == 0:
        raise FileRejected("file_empty")
    if len(set(schema.names)) != len(schema.names):
        raise FileRejected("file_duplicate_header",
                           header=", ".join(sorted({h for h in schema.names if schema.names.count(h) > 1})))
    if "file_row_number" in schema.names:
        # DuckDB's row-number option cannot sit beside a column of that name: such a file goes through Arrow
        table = pq.read_table(path)
        return ReadResult.of(table.append_column(ROW_NUMBER, line_numbers(1, table.num_rows)))
    quoted = "'" + str(path.resolve()).replace("'", "''") + "'"
    scan = (f"(select * exclude (file_row_number), file_row_number + 1 as {ROW_NUMBER} "
            f"from read_parquet({quoted}, file_row_number = true))")
    return ReadResult(schema.append(pa.field(ROW_NUMBER, pa.int64())), num_rows, scan)


READERS = {"csv": read_csv, "xlsx": read_xlsx, "jsonl": read_jsonl, "parquet": read_parquet}


def read(path: Path) -> ReadResult:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in READERS:
        raise FileRejected("file_format", suffix=path.suffix)
    return READERS[fmt](path)
