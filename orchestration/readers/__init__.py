"""One reader per input format. Each gives a file's headers as delivered (with their types), the
rows with the row number of each, and the records that could not even be split into fields (those
go to quarantine). The rows are an Arrow table, or for Parquet, which DuckDB reads itself, the
table function that reads them. A file that cannot be read at all raises FileRejected."""


from __future__ import annotations

from pathlib import Path

from .delimited import read_csv
from .jsonl import read_jsonl
from .parquet import read_parquet
from .result import ROW_NUMBER, FileRejected, ReadResult, SheetLayout, arrow_of, plain_headers
from .xlsx import REJECTED, read_sheet, read_xlsx

__all__ = ["READERS", "REJECTED", "ROW_NUMBER", "FileRejected", "ReadResult", "SheetLayout", "arrow_of", "read",
           "read_sheet", "read_xlsx"]

READERS = {"csv": read_csv, "xlsx": read_xlsx, "jsonl": read_jsonl, "parquet": read_parquet}


def read(path: Path, suffix: str | None = None, layout: SheetLayout | None = None) -> ReadResult:
    """The file at `path`, read by the reader of its format (`suffix`, default the path's own); a
    spreadsheet with a sheet of `layout` is read there (SheetLayout)."""
    fmt = (path.suffix if suffix is None else suffix).lower().lstrip(".")
    if fmt not in READERS:
        raise FileRejected("file_format", suffix=path.suffix if suffix is None else suffix)
    return plain_headers(read_xlsx(path, layout) if fmt == "xlsx" else READERS[fmt](path))
