from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.warehouse import connect
from orchestration.load import BatchResult, load_inbox

UNITS = [{"unit_id": "U1", "unit_name": "某县城市管理综合执法大队", "parent_unit_id": "", "rule_profile": "hebei"},
         {"unit_id": "U2", "unit_name": "第一中队", "parent_unit_id": "U1", "rule_profile": "longjiang"}]
OFFICERS = [{"officer_id": "O1", "name": "张伟", "cert_no": "13000001", "unit_id": "U1"},
            {"officer_id": "O2", "name": "李娜", "cert_no": "", "unit_id": "U2"}]
CASES = [{"case_id": "C1", "unit_id": "U1", "case_type": "penalty", "procedure": "general",
          "source": "complaint", "party_name": "王某某", "opened_at": "2025-03-01 09:00:00"}]


def write_csv(path: Path, rows: list[dict] | list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    if rows and isinstance(rows[0], dict):
        fields = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def write_parquet(path: Path, columns: dict[str, pa.Array | list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def base_inbox(inbox: Path) -> Path:
    """Units, officers and one case: enough for later sources' foreign keys to resolve."""
    write_csv(inbox / "units" / "units.csv", UNITS)
    write_csv(inbox / "officers" / "officers.csv", OFFICERS)
    write_csv(inbox / "cases" / "a_cases.csv", CASES)
    return inbox


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return base_inbox(tmp_path / "inbox")


@pytest.fixture
def warehouse(tmp_path: Path):
    con = connect(tmp_path / "wh.duckdb")
    yield con
    con.close()


def load(con, inbox: Path):
    return load_inbox(con, inbox)


def rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


T = dt.datetime


class Samples:
    """Generated years (synthetic.generate, year 2025), each step of one (generate, load, judge and
    publish: seconds each) made at most once a session and shared by the modules that read it; a
    test that changes one works on a copy. Below <scale>-<seed>/ (<scale>-<seed>-<discipline>/ for a
    discipline other than usual): inbox/, loaded.duckdb (the inbox loaded, nothing judged), wh.duckdb
    (judged as of 2025-12-31, default profile hebei) and its snapshot."""

    def __init__(self, root: Path):
        self.root, self.made = root, {}

    def once(self, step: str, scale: str, seed: int, make, discipline: str = "usual"):
        if (step, scale, seed, discipline) not in self.made:
            name = f"{scale}-{seed}" + ("" if discipline == "usual" else f"-{discipline}")
            self.made[step, scale, seed, discipline] = make(self.root / name)
        return self.made[step, scale, seed, discipline]

    def inbox(self, seed: int, scale: str = "XS", discipline: str = "usual") -> tuple[Path, dict]:
        """The inbox and what the generator planted in it."""
        from synthetic import generate

        return self.once("inbox", scale, seed, lambda root: (
            root / "inbox", generate(root / "inbox", scale=scale, seed=seed, year=2025, progress=False,
                                     discipline=discipline)), discipline)

    def loaded(self, seed: int, scale: str = "XS", discipline: str = "usual") -> tuple[Path, BatchResult]:
        """A warehouse with the inbox loaded and nothing judged, and the load's result."""
        def make(root: Path) -> tuple[Path, BatchResult]:
            con = connect(root / "loaded.duckdb")
            try:
                return root / "loaded.duckdb", load_inbox(con, self.inbox(seed, scale, discipline)[0])
            finally:
                con.close()

        return self.once("loaded", scale, seed, make, discipline)

    def published(self, seed: int, scale: str = "XS", discipline: str = "usual") -> Path:
        """The snapshot of the warehouse judged as of 2025-12-31 (beside it: wh.duckdb)."""
        from orchestration import runner
        from orchestration.publish import publish

        def make(root: Path) -> Path:
            shutil.copy(self.loaded(seed, scale, discipline)[0], root / "wh.duckdb")
            con = connect(root / "wh.duckdb")
            try:
                runner.build(con, dt.date(2025, 12, 31), "hebei")
                return publish(con, root / "wh.duckdb")
            finally:
                con.close()

        return self.once("published", scale, seed, make, discipline)


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Samples:
    return Samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def snapshot(samples) -> Path:
    """The published year the workbook and the notices are written from (seed 5)."""
    return samples.published(5)


@pytest.fixture(scope="module")
def mart(snapshot):
    """The snapshot, read-only, to reconcile what was written with."""
    con = duckdb.connect(str(snapshot), read_only=True)
    yield con
    con.close()
