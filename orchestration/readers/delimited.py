"""CSV: read by Arrow when the file is one encoding throughout, by Python's csv module line by line
when some lines are not (those records are quarantined whole)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from .encoding import Decoding, decide_encoding, decoded_lines, is_utf8_prefix
from .result import ROW_NUMBER, BrokenRow, FileRejected, ReadResult, check_headers, line_numbers

# Python's csv module stops at 128 KB a field; Arrow reads any. Set once, for every reading alike.
csv.field_size_limit(1 << 30)


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
