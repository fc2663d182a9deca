"""What recwatch gives its users, as one fingerprint: every published table and the workbooks.

A refactor that changes no behaviour leaves the fingerprint as it was; run this before and after
and compare (the Layout issue's "identical before and after"):

    python -m bench.outputs --dir /tmp/outputs-before > before.json
    python -m bench.outputs --dir /tmp/outputs-after > after.json
    python -m bench.outputs --compare before.json after.json

Each table is its row count and the md5 of its rows as text in a fixed order (column names
included); each workbook is its sheets' names, merged ranges, and the md5 of every cell's value and
number format. What changes with the clock or the machine is left out: load times and paths,
build times, the snapshot's own stamps, the workbook's generation time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

AS_OF = dt.date(2025, 12, 31)
# columns that record when or where a run happened, or hash the models' text, not what it found
VOLATILE = {"load_batches": {"inbox", "started_at", "finished_at"},
            "load_files": {"modified_at", "changed_at"},
            "published_partitions": {"fingerprint"}}
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
# (period, unit: None for all or "child" for the first unit under another, language, unmasked)
REPORTS = [("2025", None, "zh", False), ("2025Q3", None, "en", False), ("2025-07", "child", "zh", True)]


def table_fingerprints(snapshot: Path) -> dict[str, dict]:
    import duckdb

    con = duckdb.connect(str(snapshot), read_only=True)
    out = {}
    for (name,) in con.execute("select table_name from information_schema.tables "
                               "where table_schema = 'main' order by table_name").fetchall():
        cols = [c for (c,) in con.execute("select column_name from information_schema.columns "
                                          "where table_name = ? order by ordinal_position", [name]).fetchall()]
        kept = [c for c in cols if c not in VOLATILE.get(name, ())]
        digest = hashlib.md5(",".join(kept).encode())
        if kept:
            quoted = ", ".join(f'"{c}"' for c in kept)
            cur = con.execute(f'select {quoted} from "{name}" order by all')
            while batch := cur.fetchmany(50_000):
                for row in batch:
                    digest.update(repr(row).encode())
        rows = con.execute(f'select count(*) from "{name}"').fetchone()[0]
        out[name] = {"rows": rows, "md5": digest.hexdigest()}
    con.close()
    return out


def workbook_fingerprint(path: Path) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        digest = hashlib.md5()
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):  # the load's and the workbook's own times
                    value = STAMP.sub("<time>", value)
                if value is not None:
                    digest.update(f"{cell.coordinate}={value!r}|{cell.number_format}\n".encode())
        sheets[ws.title] = {"rows": ws.max_row, "cols": ws.max_column,
                            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
                            "charts": len(ws._charts), "md5": digest.hexdigest()}
    return sheets


def run(workdir: Path) -> dict:
    from core.warehouse import connect
    from orchestration import runner
    from orchestration.load import load_inbox
    from orchestration.publish import publish
    from reports.workbook import write_workbook
    from synthetic import generate

    shutil.rmtree(workdir, ignore_errors=True)
    generate(workdir / "inbox", scale="S", seed=1, year=2025, progress=False)
    wh = workdir / "wh.duckdb"
    con = connect(wh)
    load_inbox(con, workdir / "inbox")
    runner.build(con, AS_OF, "hebei")
    snapshot = publish(con, wh)
    con.close()
    result = {"tables": table_fingerprints(snapshot), "workbooks": {}}
    import duckdb

    with duckdb.connect(str(snapshot), read_only=True) as con:
        child = con.execute("select min(unit_id) from stg_units where parent_unit_id is not null").fetchone()[0]
    for period, unit, lang, unmask in REPORTS:
        unit = child if unit == "child" else unit
        out = workdir / f"report-{period}-{unit}-{lang}.xlsx"
        write_workbook(snapshot, period, out, unit=unit, lang=lang, unmask=unmask)
        result["workbooks"][out.name] = workbook_fingerprint(out)
    return result


def compare(before: dict, after: dict) -> list[str]:
    differences = []
    for kind in ("tables", "workbooks"):
        for name in sorted(before[kind].keys() | after[kind].keys()):
            if before[kind].get(name) != after[kind].get(name):
                old, new = before[kind].get(name) or {}, after[kind].get(name) or {}
                if kind == "workbooks":  # the sheets that differ
                    old = {k: v for k, v in old.items() if new.get(k) != v}
                    new = {k: v for k, v in new.items() if k in old or k not in before[kind][name]}
                differences.append(f"{kind[:-1]} {name}: {old} -> {new}")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/recwatch-outputs"))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        differences = compare(*(json.loads(p.read_text()) for p in args.compare))
        print("\n".join(differences) or "identical: every table and every workbook sheet")
        sys.exit(1 if differences else 0)
    json.dump(run(args.dir), sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
