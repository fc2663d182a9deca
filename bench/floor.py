"""The engine floor: bench/floor.sql on Parquet copies of a loaded warehouse's current rows.

    python -m bench.floor PARQUET_DIR YYYY-MM-DD     # prints one JSON line: seconds, rows_in, violations by rule

`export` writes the copies (inputs, not part of what is timed; the bench removes them after); the
timed part is the SQL alone, in an in-memory DuckDB with the warehouse's memory limit and threads.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

from orchestration.contract import LOAD_ORDER
from orchestration.settings import load_settings
from orchestration.warehouse import connect

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


def run(parquet: Path, as_of: dt.date) -> dict:
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


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]))))
