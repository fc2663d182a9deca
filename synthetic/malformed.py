"""Rows that break the contract (for the loader's quarantine) and files that cannot be read at all.

Each bad row is a copy of a real row of the same file with a fresh key and one defect, written in
the file's own spelling, so only the defect distinguishes it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.contract import SOURCES

from .writers import Spec, render

# kinds that can live in a typed (Parquet) file; the others need text
TYPED = {"fk_missing", "end_before_start", "negative_value", "bad_hash", "unknown_enum", "missing_required",
         "required_when"}
BAD_TIMESTAMPS = ["{y}-13-45 10:00", "昨天", "{y}-02-30 25:61", "N/A", "yesterday 10:00", "32/13/{y}"]


def defects(year: int) -> dict[str, dict[str, tuple]]:
    """source → kind → (column(s), value) of the defect."""
    return {
        "officers": {"fk_missing": ("unit_id", "99999999")},
        "cases": {
            "missing_required": ("opened_at", None), "bad_timestamp": ("opened_at", None),
            "unknown_enum": ("case_type", ("administrative_review", "行政处理")),
            "bad_bool": ("emergency_start", "maybe"), "fk_missing": ("unit_id", "99999999"),
        },
        "acts": {
            "fk_missing": ("case_id", f"AJ{year - 1}999999"), "end_before_start": (("started_at", "ended_at"), None),
            "bad_timestamp": ("started_at", None), "missing_required": ("officer_ids", None),
            "required_when": (("remote_duty", "returned_at"), None), "bad_bool": ("remote_duty", "maybe"),
            "unknown_enum": ("act_type", ("patrol", "现场巡查")),
        },
        "documents": {
            "fk_missing": ("act_id", f"HJ{year - 1}0000001"), "negative_value": ("officer_signatures", -1),
            "unknown_enum": ("doc_type", ("notice", "通知书")), "missing_required": ("doc_type", None),
        },
        "media": {
            "end_before_start": (("recorded_start", "recorded_end"), None), "bad_timestamp": ("recorded_start", None),
            "missing_required": ("sha256", None), "bad_bool": ("is_evidence", "maybe"),
            "fk_missing": ("device_id", "DSJ-T001"), "bad_hash": ("sha256", "not-a-hash"),
            "negative_value": ("size_bytes", -1),
        },
        "device_events": {
            "bad_timestamp": ("event_time", None), "unknown_enum": ("event_type", ("reboot", "重启")),
            "fk_missing": ("device_id", "DSJ-T002"), "negative_value": ("battery_pct", -5),
            "missing_required": ("event_time", None),
        },
        "media_access": {
            "unknown_enum": ("action", ("delete", "删除")), "fk_missing": ("media_id", f"DSJ-T003_{year}0101_000000"),
            "bad_timestamp": ("accessed_at", None),
        },
    }


def _const(value, k: int, typ: pa.DataType) -> pa.Array:
    return pa.array([value] * k).cast(typ) if value is not None else pa.nulls(k, typ)


def make_bad(source: str, table: pa.Table, spec: Spec, kinds: list[str], rate: float, min_per_kind: int,
             rng: np.random.Generator, year: int, counter: list[int]):
    """Bad rows for one file, rendered like `spec`. Returns (rows, kind of each row).

    rows: a pa.Table for CSV/XLSX/Parquet, a list of dicts for JSONL. `counter` numbers the fresh
    keys across files so they never collide."""
    if table.num_rows == 0 or not kinds:
        return None, []
    typed = spec.fmt == "parquet"
    kinds = [k for k in kinds if (k in TYPED) or not typed]
    spec_src = defects(year)[source]
    key = SOURCES[source].key
    per = max(min_per_kind, int(round(rate * table.num_rows / max(len(kinds), 1))))
    out, labels = [], []
    for kind in kinds:
        cols, value = spec_src[kind]
        sub = table.take(pa.array(rng.integers(0, table.num_rows, per)))
        k = sub.num_rows
        # fresh keys
        if len(key) == 1:
            suffix = pa.array(np.char.add("-", (counter[0] + np.arange(k)).astype(str)))
            counter[0] += k
            sub = sub.set_column(sub.schema.get_field_index(key[0]), key[0],
                                 pc.binary_join_element_wise(sub.column(key[0]), suffix, ""))
        elif kind == "negative_value":  # device_events: same event one second later
            i = sub.schema.get_field_index("event_time")
            sub = sub.set_column(i, "event_time", pc.add(sub.column("event_time"), pa.scalar(1, pa.duration("s"))))

        def put(name, arr):
            nonlocal sub
            sub = sub.set_column(sub.schema.get_field_index(name), name, arr)

        if kind == "fk_missing":
            put(cols, _const(value, k, sub.schema.field(cols).type))
        elif kind == "end_before_start":
            s, e = cols
            put(e, pc.subtract(sub.column(s), pa.scalar(3600, pa.duration("s"))).cast(sub.schema.field(e).type))
        elif kind in ("negative_value", "bad_hash"):
            put(cols, _const(value, k, sub.schema.field(cols).type))
        elif kind == "missing_required":
            put(cols, pa.nulls(k, sub.schema.field(cols).type))
        elif kind == "required_when":
            flag, dep = cols
            put(flag, _const(True, k, pa.bool_()))
            put(dep, pa.nulls(k, sub.schema.field(dep).type))
        elif kind == "unknown_enum" and typed:
            put(cols, _const(value[0], k, sub.schema.field(cols).type))
        r = render(source, sub, replace(spec, extra=()), as_strings=not typed)
        for name in spec.extra:  # columns the contract does not know: left empty
            r = r.append_column(name, pa.nulls(k, pa.string() if not typed else sub.schema.field(name).type))

        def rname(name):
            col = SOURCES[source].column(name)
            return col.zh if spec.header == "zh" else col.name

        def put_s(name, values):
            nonlocal r
            r = r.set_column(r.schema.get_field_index(rname(name)), rname(name), pa.array(values, pa.string()))

        if not typed:
            if kind == "bad_timestamp":
                forms = np.array([f.format(y=year) for f in BAD_TIMESTAMPS], dtype=object)
                put_s(cols, forms[np.arange(k) % len(forms)].tolist())
            elif kind == "bad_bool":
                put_s(cols, [value] * k)
            elif kind == "unknown_enum":
                put_s(cols, [value[1] if spec.enum == "zh" else value[0]] * k)
        out.append(r)
        labels += [kind] * k
    bad = pa.concat_tables(out)
    if spec.fmt == "jsonl":
        return bad.to_pylist(), labels
    return bad, labels


def summarise(path: str, source: str, labels: list[str], rows: list[int]) -> list[dict]:
    """One entry per kind: where the bad rows are (1-based data row numbers)."""
    labels_a, rows_a = np.array(labels, dtype=object), np.array(rows, dtype=np.int64)
    return [{"source": source, "file": path, "kind": kind, "count": int((labels_a == kind).sum()),
             "rows": np.sort(rows_a[labels_a == kind]).tolist()} for kind in sorted(set(labels))]


def write_rejected(root: Path, year: int) -> list[dict]:
    """Files the loader must reject whole."""
    out = []
    p = root / "cases" / "zz_broken.xlsx"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes("案件编号,承办单位编码\n这不是一个Excel文件，是改了扩展名的文本\n".encode("utf-8"))
    out.append({"source": "cases", "file": "cases/zz_broken.xlsx",
                "why": "not an XLSX workbook (a text file with an .xlsx name)"})
    p = root / "documents" / "zz_missing_column.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes((
        "doc_id,case_id,act_id,signed_at,party_signed,refusal_noted,officer_signatures\n"
        f"WS{year}X0000001,AJ{year}000001,,{year}-06-01 10:00:00,Y,N,2\n"
        f"WS{year}X0000002,AJ{year}000002,,{year}-06-02 11:00:00,N,Y,2\n").encode("utf-8"))
    out.append({"source": "documents", "file": "documents/zz_missing_column.csv",
                "why": "required column doc_type (文书类型) is missing"})
    p = root / "media_access" / "zz_empty.jsonl"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"")
    out.append({"source": "media_access", "file": "media_access/zz_empty.jsonl", "why": "empty file"})
    return out
