"""The project's shape (Layout issue): packages stand in layers on a shared core, with no import
cycle, and the readers of the snapshot (dashboards/, reports/) import nothing but the core and read
nothing of the snapshot but its facts, marts and dimensions.

The layers are written once, as import-linter contracts in pyproject.toml; this runs them, so a
change that brings a cycle back, or makes a page import the loader, fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.runner import references

from conftest import published_sample

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 kept, 0 broken" in proc.stdout


# What a reader of the snapshot may query (contract §9): the facts, marts and dimensions, the label
# catalogue and the load records; never a staging, intermediate or rule table, whose shape is the
# warehouse's own business.
READABLE_PREFIXES = ("fct_", "mart_", "dim_")
READABLE_TABLES = {"labels", "load_batches", "load_files", "quarantine"}


@pytest.fixture(scope="module")
def published_tables(tmp_path_factory) -> set[str]:
    snapshot = published_sample(tmp_path_factory.mktemp("layout"), seed=3)
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return {name.lower() for name, in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("package", ["dashboards"])
def test_readers_query_only_facts_marts_and_dimensions(package, published_tables):
    """Every table a reader's code names after FROM or JOIN, of those a published snapshot has, is
    one it may read: a page that reads int_units or rules_rules fails here."""
    assert references("select 1 from int_units u join rules_rules r using (x)") & published_tables == \
        {"int_units", "rules_rules"}  # what the check would catch is in the snapshot to be caught
    read: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for table in references(path.read_text(encoding="utf-8")) & published_tables:
            read.setdefault(table, set()).add(str(path.relative_to(ROOT)))
    assert "fct_violations" in read  # the scan sees the queries at all
    refused = {table: sorted(files) for table, files in read.items()
               if not (table.startswith(READABLE_PREFIXES) or table in READABLE_TABLES)}
    assert not refused, f"{package}/ reads tables readers may not: {refused}"
