"""Build the models from rows written in a test: the way metric tests state their input.

`build(con, rows, as_of, models=[...])` inserts each source's rows straight into raw_<source> (as a
loaded, valid file would) and runs the models a test reads and those they read, all the way down
(`models=None`: every model). Columns a row leaves out are NULL (FALSE for booleans, but for one
that may be unknown), so a test names only what matters to the rule it checks.
"""

from __future__ import annotations

import datetime as dt

from core.contract import BOOL, SOURCES
from orchestration import runner
from orchestration.load import init_warehouse, record_replacements

UNIT = {"unit_id": "U1", "unit_name": "测试中队", "rule_profile": "hebei"}
OFFICERS = [{"officer_id": "O1", "name": "张伟", "unit_id": "U1"},
            {"officer_id": "O2", "name": "李娜", "unit_id": "U1"}]
DEVICE = {"device_id": "DSJ-1", "device_type": "body_camera", "unit_id": "U1", "officer_id": "O1",
          "in_service_from": dt.date(2024, 1, 1)}
CASE = {"case_id": "C1", "unit_id": "U1", "case_type": "penalty", "procedure": "general",
        "source": "complaint", "party_name": "王某某", "opened_at": dt.datetime(2025, 3, 1, 9)}


def world(profile: str = "hebei", **sources: list[dict]) -> dict[str, list[dict]]:
    """A unit of `profile` with two officers, a body camera and a case; `sources` add or replace."""
    rows = {"units": [{**UNIT, "rule_profile": profile}], "officers": list(OFFICERS), "devices": [DEVICE],
            "cases": [CASE]}
    rows.update(sources)
    return rows


def insert(con, rows: dict[str, list[dict]], file_id: int = 1) -> None:
    init_warehouse(con)
    for source, records in rows.items():
        cols = SOURCES[source].columns
        for n, record in enumerate(records, start=1):
            unknown = set(record) - {c.name for c in cols}
            assert not unknown, f"{source} has no column {unknown}"
            values = [record.get(c.name, False if c.type == BOOL and not c.nullable else None) for c in cols]
            marks = ", ".join("?" for _ in range(len(cols) + 4))
            con.execute(f"insert into raw_{source} values ({marks})", [*values, None, 1, file_id, n])
        record_replacements(con, source, 1, file_id)  # as the loader does after each file


def build(con, rows: dict[str, list[dict]], as_of: dt.date = dt.date(2025, 12, 31),
          default_profile: str = "hebei", models: list[str] | None = None) -> dict[str, int]:
    insert(con, rows)
    return dict(runner.build(con, as_of, default_profile, models=models))


def table(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
