"""Write source tables in the forms real exports take: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX,
JSONL and Parquet; English or Chinese headers; every timestamp, boolean and enum spelling the
contract accepts. Output bytes depend only on the data (fixed XLSX/zip metadata)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from core.contract import BOOL, DATE, ENUM, ENUMS, INT, NUMBER, SOURCES, TIMESTAMP

FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)
TS_FORMS = {
    "ymd_hms": "%Y-%m-%d %H:%M:%S",  # 2025-03-04 09:30:00
    "ymd_hm": "%Y-%m-%d %H:%M",  # 2025-03-04 09:30
    "slash_hms": "%Y/%m/%d %H:%M:%S",  # 2025/03/04 09:30:00
    "slash_hm": "%Y/%m/%d %H:%M",  # 2025/03/04 09:30
    "iso": "%Y-%m-%dT%H:%M:%S",  # 2025-03-04T09:30:00
    "cn": None,  # 2025年3月4日 9:30
    "excel": None,  # real Excel date cells (XLSX only)
    "native": None,  # typed timestamps (Parquet, and JSON never)
}
BOOL_FORMS = {"10": ("1", "0"), "truefalse": ("true", "false"), "shifou": ("是", "否"), "YN": ("Y", "N"),
              "json": None, "native": None}


@dataclass
class Spec:
    path: str  # relative to the inbox, e.g. "cases/2025Q1.csv"
    header: str = "en"  # "en" or "zh"
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" or "gb18030" (CSV only)
    ts: str = "native"
    boolean: str = "native"
    enum: str = "code"  # "code" or "zh"
    extra: tuple[str, ...] = ()  # columns of the table the contract does not know (kept as they are)

    @property
    def fmt(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def describe(self) -> dict:
        return {"file": self.path, "format": self.fmt,
                "encoding": self.encoding if self.fmt == "csv" else None,
                "header": self.header, "timestamps": self.ts, "booleans": self.boolean,
                "enums": self.enum, "extra_columns": list(self.extra)}


def format_ts(arr: pa.Array, form: str) -> pa.Array:
    if form == "cn":
        s = lambda x: pc.cast(x, pa.string())  # noqa: E731
        return pc.binary_join_element_wise(
            s(pc.year(arr)), "年", s(pc.month(arr)), "月", s(pc.day(arr)), "日 ", s(pc.hour(arr)), ":",
            pc.utf8_lpad(s(pc.minute(arr)), 2, "0"), "")
    return pc.strftime(arr, TS_FORMS[form])


def _enum_zh(arr: pa.Array, enum: str) -> pa.Array:
    codes = list(ENUMS[enum])
    idx = pc.index_in(arr, value_set=pa.array(codes))
    return pa.array(list(ENUMS[enum].values())).take(idx)


def render(source: str, table: pa.Table, spec: Spec, as_strings: bool) -> pa.Table:
    """Contract columns of `table` in the spelling of `spec`, renamed to its header language.

    as_strings: every column becomes text (CSV); otherwise timestamps stay typed where the
    format keeps types (Parquet native, XLSX Excel cells, JSON booleans)."""
    out = {}
    for col in SOURCES[source].columns:
        if col.name not in table.column_names:
            continue
        arr = table.column(col.name).combine_chunks() if isinstance(table.column(col.name), pa.ChunkedArray) \
            else table.column(col.name)
        if col.type == TIMESTAMP:
            if spec.ts in ("native", "excel"):
                arr = arr.cast(pa.timestamp("ms")) if spec.ts == "native" else arr
            else:
                arr = format_ts(arr, spec.ts)
        elif col.type == DATE:
            arr = arr if spec.ts in ("native", "excel") else pc.strftime(arr.cast(pa.timestamp("s")), "%Y-%m-%d")
        elif col.type == BOOL:
            if BOOL_FORMS[spec.boolean] is not None:
                yes, no = BOOL_FORMS[spec.boolean]
                # a yes/no that may be unknown stays empty where it is (any other empty one is no)
                arr = pc.if_else(arr if col.nullable else pc.fill_null(arr, False), yes, no)
        elif col.type == ENUM and spec.enum == "zh" and col.enum in ENUMS:
            arr = _enum_zh(arr, col.enum)
        elif col.type in (INT, NUMBER) and as_strings:
            arr = pc.cast(arr, pa.string())
        if as_strings and not pa.types.is_string(arr.type):
            arr = pc.cast(arr, pa.string())
        out[col.zh if spec.header == "zh" else col.name] = arr
    for name in spec.extra:
        arr = table.column(name)
        out[name] = pc.cast(arr, pa.string()) if as_strings else arr
    return pa.table(out)


def _insert(n: int, local_pos: np.ndarray) -> np.ndarray:
    """Row order of a chunk of n rows with bad rows n, n+1, … inserted before the given positions."""
    return np.insert(np.arange(n), local_pos, n + np.arange(len(local_pos)))


def _concat_bad(table: pa.Table, bad: pa.Table) -> pa.Table:
    return pa.concat_tables([table, bad.select(table.column_names).cast(table.schema)])


def csv_bytes(table: pa.Table, encoding: str, header: bool = True) -> bytes:
    buf = io.BytesIO()
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=header, quoting_style="needed"))
    data = buf.getvalue()
    if encoding == "gb18030":
        return data.decode("utf-8").encode("gb18030")
    if encoding == "utf-8-sig" and header:
        return b"\xef\xbb\xbf" + data
    return data


def jsonl_bytes(table: pa.Table, bad_rows: list[dict], local_pos: np.ndarray) -> bytes:
    df = table.to_pandas()
    if bad_rows:
        bad = pd.DataFrame(bad_rows, columns=df.columns).astype(object)
        df = pd.concat([df.astype(object), bad], ignore_index=True).iloc[_insert(len(table), local_pos)]
    text = df.to_json(orient="records", lines=True, force_ascii=False) if len(df) else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def xlsx_bytes(table: pa.Table, sheet: str, batch: int = 50_000) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.creator = "recwatch"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    ws = wb.create_sheet(sheet)
    ws.append(table.column_names)
    for lo in range(0, table.num_rows, batch):  # openpyxl takes rows one by one
        part = table.slice(lo, batch)
        for row in zip(*(part.column(i).to_pylist() for i in range(part.num_columns))):
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (XLSX) with fixed entry times and fixed document timestamps."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{stamp}\g<3>", text)
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


class Sink:
    """Writes one CSV, JSONL or Parquet file in chunks, so memory stays bounded at any scale.

    Bad rows (already rendered in the file's spelling) go before the given positions of a chunk;
    `bad_rows` collects their 1-based row numbers in the file, in the order they were given."""

    def __init__(self, root: Path, source: str, spec: Spec):
        self.source, self.spec = source, spec
        self.path = root / spec.path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self.bad_rows: list[int] = []
        self._pq = None
        self._fh = None

    def write(self, table: pa.Table, bad=None, rng=None, positions: np.ndarray | None = None) -> None:
        """Append `table`; with `bad`, insert those rows at `positions` (default: random places)."""
        fmt = self.spec.fmt
        k = 0 if bad is None else (len(bad) if isinstance(bad, list) else bad.num_rows)
        if k and positions is None:
            positions = np.sort(rng.integers(0, table.num_rows + 1, k))
        if k:
            self.bad_rows += (self.rows + positions + np.arange(k) + 1).tolist()
        if fmt == "jsonl":
            out = render(self.source, table, self.spec, as_strings=False)
            data = jsonl_bytes(out, bad if k else [], positions if k else np.zeros(0, int))
            self._open().write(data)
        else:
            out = render(self.source, table, self.spec, as_strings=fmt == "csv")
            if k:
                out = _concat_bad(out, bad).take(pa.array(_insert(out.num_rows, positions)))
            if fmt == "parquet":
                if self._pq is None:
                    self._pq = pq.ParquetWriter(self.path, out.schema, compression="zstd")
                self._pq.write_table(out, row_group_size=1_000_000)
            elif fmt == "csv":
                first = self._fh is None
                self._open().write(csv_bytes(out, self.spec.encoding, header=first))
            else:
                raise ValueError(f"chunked writing not supported for {fmt}")
        self.rows += table.num_rows + k

    def _open(self):
        if self._fh is None:
            self._fh = open(self.path, "wb")
        return self._fh

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()
        elif self.spec.fmt != "parquet" and not self.path.exists():
            self.path.write_bytes(b"")


def write_whole(root: Path, source: str, spec: Spec, table: pa.Table, bad: pa.Table | list | None = None,
                rng=None, chunk: int = 500_000) -> tuple[int, list[int]]:
    """Write a whole file (in chunks); `bad` rows (already in the file's spelling) go to random places.
    Returns (rows written, 1-based row numbers of the bad rows, in the order given)."""
    n = table.num_rows
    k = 0 if bad is None else (len(bad) if isinstance(bad, list) else bad.num_rows)
    pos = np.sort(rng.integers(0, n + 1, k)) if k else np.zeros(0, np.int64)
    if spec.fmt == "xlsx":
        out = render(source, table, spec, as_strings=spec.ts != "excel")
        if k:
            out = _concat_bad(out, bad).take(pa.array(_insert(n, pos)))
        path = root / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(xlsx_bytes(out, SOURCES[source].zh))
        return n + k, (pos + np.arange(k) + 1).tolist()
    sink = Sink(root, source, spec)
    bounds = list(range(0, n, chunk)) or [0]
    for i, lo in enumerate(bounds):
        hi = min(lo + chunk, n)
        last = i == len(bounds) - 1
        sel = np.flatnonzero((pos >= lo) & ((pos < hi) | (last & (pos == n))))
        part_bad = None
        if len(sel):
            part_bad = [bad[j] for j in sel] if isinstance(bad, list) else bad.take(pa.array(sel))
        sink.write(table.slice(lo, hi - lo), part_bad, rng, pos[sel] - lo if len(sel) else None)
    sink.close()
    return sink.rows, sink.bad_rows
