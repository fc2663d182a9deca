"""The floors recwatch is measured against: what plain DuckDB takes for the same work with nothing
around it.

    python -m bench.floor judge PARQUET_DIR YYYY-MM-DD  # engine floor: JSON line of seconds, rows_in, violations by rule
    python -m bench.floor load INBOX DB                 # load floor: JSON line of seconds, rows, files

The engine floor is bench/floor.sql on Parquet copies of a loaded warehouse's current rows. `export`
writes the copies (inputs, not part of what is timed; the bench removes them after); the timed part
is the SQL alone, in an in-memory DuckDB with the warehouse's memory limit and threads.

The load floor is the least a load into one warehouse file can do: every row of every inbox file read
and written to a table of its own, as text where the file is text, with no header mapping, no
parsing of values, no checks, no quarantine and no record of replaced keys.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import shutil
import sys
import threading
import time
from pathlib import Path

import duckdb

from core.contract import LOAD_ORDER
from core.settings import load_settings
from core.sql import lit
from core.warehouse import connect
from orchestration import readers
from orchestration.inbox import readable
from orchestration.readers.encoding import is_utf8_prefix

SQL = Path(__file__).with_name("floor.sql")
# the rule tables floor.sql reads, copied beside the sources so the floor needs nothing else
RULE_TABLES = ("rules_rule_parameters", "rules_av_requirements", "rules_retention_classes", "rules_rule_profile",
               "rules_doc_requirements", "rules_party_facing_docs")
# the earlier versions of re-delivered recordings, which R-INTEG compares with the current ones
REPLACED_MEDIA = "media_replaced"


def export(warehouse: Path, out: Path) -> Path:
    """Parquet copies of every stg_<source> (without loader bookkeeping), of the media versions a later
    delivery replaced (media_id and sha256) and of the rule tables."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con = connect(warehouse, read_only=True)
    try:
        for source in LOAD_ORDER:
            con.execute(f"copy (select * exclude (loaded_file_id) from stg_{source}) "
                        f"to '{out / source}.parquet' (format parquet)")
        con.execute(f"copy (select m.media_id, m.sha256 from raw_media m semi join load_replacements r "
                    f"on r.source = 'media' and r.replaced_file_id = m._file_id "
                    f"and r.replaced_row_number = m._row_number) to '{out / REPLACED_MEDIA}.parquet' (format parquet)")
        for table in RULE_TABLES:
            con.execute(f"copy {table} to '{out / table}.parquet' (format parquet)")
    finally:
        con.close()
    return out


def judge(parquet: Path, as_of: dt.date) -> dict:
    con = connect(":memory:")
    con.execute(f"set file_search_path = '{parquet.resolve()}'")
    con.execute("set variable as_of_end = ?", [dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())])
    con.execute("set variable default_profile = ?", [load_settings().default_profile])
    rows_in = sum(con.execute(f"select count(*) from '{source}.parquet'").fetchone()[0]
                  for source in (*LOAD_ORDER, REPLACED_MEDIA))
    start = time.perf_counter()
    con.execute(SQL.read_text())
    seconds = time.perf_counter() - start
    by_rule = dict(con.execute("select rule_id, count(*) from violations group by rule_id order by rule_id").fetchall())
    return {"seconds": seconds, "rows_in": rows_in, "violations": by_rule}


def load(inbox: Path, db: Path) -> dict:
    """Each file read by DuckDB where it can (Parquet; UTF-8 CSV as text; JSON lines, skipping broken
    ones), else by recwatch's reader (a GB18030 CSV, which DuckDB cannot decode without an extension
    from the internet, and a spreadsheet), largest first, as many files at a time as there are cores."""
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    con = connect(db)
    todo: queue.Queue = queue.Queue()
    for n, (_, path) in enumerate(sorted(readable(inbox), key=lambda f: -f[1].stat().st_size)):
        todo.put((n, path))
    rows, unreadable = [], []

    def work() -> None:
        cur = con.cursor()
        while True:
            try:
                n, path = todo.get_nowait()
            except queue.Empty:
                return
            quoted = lit(path.resolve())
            fmt = path.suffix.lower()
            try:
                if fmt == ".parquet":
                    scan = f"read_parquet({quoted})"
                elif fmt == ".csv" and is_utf8_prefix(path):
                    scan = f"read_csv({quoted}, all_varchar = true, ignore_errors = true)"
                elif fmt == ".jsonl":
                    scan = f"read_json({quoted}, format = 'newline_delimited', ignore_errors = true, sample_size = -1)"
                else:
                    cur.register("delivered", readers.read(path).rows)
                    scan = "delivered"
                rows.append(cur.execute(f"create table file_{n} as select * from {scan}").fetchall()[0][0])
            except (duckdb.Error, readers.FileRejected):
                unreadable.append(path.name)  # a malformed file of the inbox: recwatch rejects it too

    start = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(os.cpu_count() or 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    con.execute("checkpoint")
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "rows": sum(rows), "files": len(rows), "unreadable": unreadable}


if __name__ == "__main__":
    kind, first, second = sys.argv[1:]
    if kind not in ("judge", "load"):
        raise SystemExit(__doc__)
    print(json.dumps(judge(Path(first), dt.date.fromisoformat(second)) if kind == "judge"
                     else load(Path(first), Path(second))))
