"""What every reader gives back (ReadResult: the rows, numbered, with the records that could not
be split) or raises (FileRejected), and the checks every file's headers pass."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from core import i18n

ROW_NUMBER = "_row_number"


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


@dataclass(frozen=True)
class SheetLayout:
    """How to find a source's table in a workbook recwatch wrote for it to be filled in: the sheets
    it may be on (`sheets`, by name), and for each required column the headers that name it,
    normalised (core.contract.normalize_header). Such a sheet has title rows above its header; its
    table ends where a row names none of the required columns (the notes and signatures below)."""
    sheets: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]

    # the header is looked for in this many rows from the top
    HEADER_WITHIN = 10

    def is_header(self, cells: list) -> bool:
        from core.contract import normalize_header

        names = {normalize_header(c) for c in cells if isinstance(c, str)}
        return all(names & set(spellings) for spellings in self.required)

    def to_json(self) -> str:
        return json.dumps({"sheets": self.sheets, "required": self.required}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "SheetLayout":
        said = json.loads(text)
        return cls(tuple(said["sheets"]), tuple(tuple(r) for r in said["required"]))


def arrow_of(values: np.ndarray) -> pa.Array:
    """A numpy array of numbers as an Arrow array, sharing its memory. Not pa.array: handed a numpy
    array, pyarrow first imports pandas to look for pandas types, half a second of a daily run."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def line_numbers(first: int, count: int) -> pa.Array:
    # from a Python range, pyarrow takes 0.2 s per million rows; a numpy range is ten times quicker
    return arrow_of(np.arange(first, first + count, dtype=np.int64))


def cell_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        # a spreadsheet's date cell (a serial day, formatted without a time) is that day at 00:00:
        # Excel's own value, which a timestamp column takes as it takes any date cell (contract §1)
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _text_column(values) -> pa.Array:
    # Most cells already are non-empty text: they skip the call (a third of reading a JSONL file).
    return pa.array([v if type(v) is str and v else cell_text(v) for v in values], pa.string())


def columns_to_table(columns: dict[str, list], numbers: list[int]) -> pa.Table:
    """Cell values by header (any Python values, as text), plus the row numbers."""
    arrays = {h: _text_column(values) for h, values in columns.items()}
    arrays[ROW_NUMBER] = pa.array(numbers, pa.int64())
    return pa.table(arrays)


CONTROL = re.compile("[\x00-\x1f\x7f]")


def _plain(header: str) -> str:
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", header)


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


def plain_headers(result: ReadResult) -> ReadResult:
    """Control characters in headers written as escapes (\\x00): a header reaches SQL as a name,
    and DuckDB takes no NUL in one."""
    names = [_plain(h) for h in result.schema.names]
    if names == result.schema.names:
        return result
    table = result.rows.rename_columns(names)
    return ReadResult(table.schema, result.num_rows, table, result.encoding, result.broken)
