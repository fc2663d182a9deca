"""The raw store (orchestration/rawstore.py, issue #26): an office's validated raw rows, every version,
written as Parquet by source and day for a Spark build of every office, and replaced whole.

No Spark here: the store is written and read back by DuckDB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.sql import lit
from core.warehouse import connect
from orchestration.rawstore import MANIFEST, OFFICE, RawStoreError, day_column, export_raw, exported_tables, office_of


@pytest.fixture(scope="module")
def loaded(samples, tmp_path_factory) -> Path:
    """The XS sample year loaded, nothing judged (a copy: a test adds a top unit to it)."""
    copy = tmp_path_factory.mktemp("rawstore") / "loaded.duckdb"
    shutil.copy(samples.loaded(5, "XS")[0], copy)
    return copy


@pytest.fixture(scope="module")
def store(loaded, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("store")
    with connect(loaded, read_only=True) as con:
        export_raw(con, root)
    return root


def test_every_row_of_every_exported_table_is_in_the_store(loaded, store):
    """Every version of every row, not only the current one (R-INTEG compares a recording's versions),
    and the load records; the manifest counts them."""
    (office,) = [p for p in store.iterdir()]
    manifest = json.loads((office / MANIFEST).read_text(encoding="utf-8"))
    with connect(loaded, read_only=True) as con:
        for table in exported_tables():
            rows = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            assert manifest["rows"][table] == rows, table
            files = lit(office / table / "**" / "*.parquet")
            differ = con.execute(f"""select count(*) from (
                (select * from {table} except all select * from read_parquet({files}, hive_partitioning = false))
                union all
                (select * from read_parquet({files}, hive_partitioning = false) except all select * from {table}))
            """).fetchall()[0][0]
            assert differ == 0, table
        assert con.execute("select count(*) from raw_media").fetchall()[0][0] > 0


def test_a_source_with_a_required_moment_is_partitioned_by_its_day(loaded, store):
    """raw_media by the day a recording starts, raw_device_events by the event's; units whole."""
    office = next(store.iterdir())
    assert day_column("media") == "recorded_start" and day_column("device_events") == "event_time"
    assert day_column("units") is None
    assert not any(p.is_dir() for p in (office / "raw_units").iterdir())
    with connect(loaded, read_only=True) as con:
        wrong = con.execute(f"""
            select count(*) from read_parquet({lit(office / 'raw_media' / '*' / '*.parquet')}, hive_partitioning = true)
            where strftime(recorded_start, '%Y-%m-%d') <> day""").fetchall()[0][0]
        days = con.execute("select count(distinct recorded_start::date) from raw_media").fetchall()[0][0]
    assert wrong == 0
    assert len(list((office / "raw_media").iterdir())) == days


def test_a_new_export_replaces_the_offices_whole(loaded, store, tmp_path):
    """A file of the previous export that the new one does not write is gone (a build would read it
    twice otherwise), and nothing half-written is left in the store."""
    root = tmp_path / "store"
    shutil.copytree(store, root)
    office = next(root.iterdir())
    stale = office / "raw_media" / "day=1999-01-01"
    stale.mkdir()
    (stale / "data_0.parquet").write_bytes(b"stale")
    with connect(loaded, read_only=True) as con:
        assert export_raw(con, root) == office
    assert not stale.exists()
    assert sorted(p.name for p in root.iterdir()) == [office.name]


def test_an_empty_table_is_still_written_with_its_columns(loaded, tmp_path):
    with connect(loaded, read_only=True) as con:
        con.execute("create temp table raw_media as select * from main.raw_media limit 0")
        # the temp table shadows the raw table for this connection: an office with no recordings
        office = export_raw(con, tmp_path)
        columns = con.execute(f"select * from read_parquet({lit(office / 'raw_media' / '*' / '*.parquet')}, "
                              "hive_partitioning = false)").description
        expected = con.execute("select * from main.raw_media limit 0").description
    assert [c[0] for c in columns] == [c[0] for c in expected]
    assert (office / "raw_media" / "day=none" / "data_0.parquet").exists()


def test_an_office_is_named_when_the_warehouse_has_several_top_units(loaded, tmp_path):
    copy = tmp_path / "two.duckdb"
    shutil.copy(loaded, copy)
    with connect(copy) as con:
        con.execute("insert into raw_units (unit_id, unit_name, parent_unit_id, _batch_id, _file_id, _row_number) "
                    "values ('99990000', '另一机关', null, 1, 1, 999)")
        with pytest.raises(RawStoreError, match="--office"):
            export_raw(con, tmp_path / "store")
        assert export_raw(con, tmp_path / "store", "hebei-province").name == "office=hebei-province"


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(name=st.text(min_size=0, max_size=80) | st.sampled_from(["..", "../x", "a/b", ".hidden", "_x", "a\\b", "a b",
                                                                  "x" * 65, "office=x", "~root", "C:"]))
def test_an_office_name_never_leaves_or_hides_in_the_store(loaded, tmp_path, name):
    """An office's name becomes a folder: one that could climb out of the store, name a folder in
    another, or be skipped by Spark (a leading . or _) is refused before anything is written."""
    with connect(loaded, read_only=True) as con:
        try:
            office = office_of(con, name)
        except RawStoreError:
            assert not OFFICE.fullmatch(name)
            return
    folder = (tmp_path / f"office={office}").resolve()
    assert folder.parent == tmp_path.resolve()
    assert not office.startswith((".", "_")) and "/" not in office and "\\" not in office
