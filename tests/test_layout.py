"""The project's shape (Layout issue): packages stand in layers on a shared core, with no import
cycle, and the readers of the snapshot (dashboards/, reports/) import nothing but the core and
query nothing but the published marts and dimensions.

The layers are written once, as import-linter contracts in pyproject.toml; this runs them, so a
change that brings a cycle back, or makes a page import the loader, fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import runner

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 kept, 0 broken" in proc.stdout


# What a reader of the snapshot may query: the published facts, marts and dimensions, the labels and
# the load records; never a staging, intermediate or rule table, whose shape is the ETL's own.
READABLE_PREFIXES = ("fct_", "mart_", "dim_")
READABLE_TABLES = {"labels", "load_batches", "load_files", "quarantine"}


@pytest.fixture(scope="module")
def table_names(samples) -> set[str]:
    """Every table a query could name: the snapshot's, and the warehouse's models and rule tables
    (published or not)."""
    snapshot = samples.published(11)  # the dashboard tests' year, made once a session
    with duckdb.connect(str(snapshot), read_only=True) as con:
        published = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    return published | {m.name for m in runner.discover()} | set(runner.rule_tables())


@pytest.mark.parametrize("package", ["dashboards", "reports"])
def test_readers_query_only_published_marts_and_dimensions(package, table_names):
    """Every table a reader's code names after FROM or JOIN is one it may read: a page or a sheet
    that reads int_units or rules_rules fails here."""
    assert runner.references("select 1 from int_units u join rules_rules r using (x)") & table_names == \
        {"int_units", "rules_rules"}  # what the check would catch is known to it
    read: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in runner.references(path.read_text(encoding="utf-8")) & table_names:
            read.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    assert "mart_unit_period_scorecard" in read, f"no query found in {package}/: the scan no longer sees them"
    refused = {name: sorted(files) for name, files in read.items()
               if not (name.startswith(READABLE_PREFIXES) or name in READABLE_TABLES)}
    assert not refused, f"{package}/ reads tables readers may not: {refused}"
