"""The published snapshot and the masking of personal data on the way out."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from core.privacy import mask, mask_frame
from core.warehouse import connect
from orchestration.publish import publish, snapshot_path

from modelkit import build, world


def test_snapshot_is_readable_while_the_warehouse_is_open_for_writing(tmp_path):
    wh = tmp_path / "wh.duckdb"
    con = connect(wh)
    build(con, world("hebei"), dt.date(2025, 12, 31))
    target = publish(con, wh)
    assert target == snapshot_path(wh) and not target.with_name(target.name + ".tmp").exists()
    reader = duckdb.connect(str(target), read_only=True)  # the ETL still holds the warehouse open
    tables = {r[0] for r in reader.execute("select table_name from information_schema.tables").fetchall()}
    assert {"fct_violations", "mart_unit_period_scorecard", "rules_rule_profile", "labels", "load_batches"} <= tables
    assert not any(t.startswith(("raw_", "int_checks")) for t in tables)
    assert reader.execute("select unit_id from stg_units").fetchall() == [("U1",)]
    kinds = dict(reader.execute("select table_name, table_type from information_schema.tables").fetchall())
    # a view over published tables stays a view (no copy of every finding); a view over a table the
    # snapshot leaves out is copied as a table, so it reads without the warehouse
    assert kinds["mart_findings"] == "VIEW" and kinds["fct_act_av_coverage"] == "BASE TABLE"
    assert reader.execute("select count(*) from mart_findings").fetchone() == \
        reader.execute("select count(*) from fct_violations").fetchone()
    reader.close()
    publish(con, wh)  # a second publish replaces the snapshot whole
    con.close()


def test_party_names_are_masked_keeping_the_first_character_only():
    """rules.md R-SEC (cele 第二十五条, zhuhui 第二十六条): masked by default as 张某某, the first character
    and a fixed 某某, whatever the name's length."""
    assert [mask(n) for n in ("张三丰", "李四", "王", "某某餐饮有限公司", " 欧阳娜娜 ", "", None)] == [
        "张某某", "李某某", "王某某", "某某某", "欧某某", "", None]
    frame = pd.DataFrame({"case_id": ["C1"], "party_name": ["赵六"]})
    assert mask_frame(frame)["party_name"].tolist() == ["赵某某"]
    assert frame["party_name"].tolist() == ["赵六"]  # stored data is never altered
    assert mask_frame(frame, unmask=True, purpose="test")["party_name"].tolist() == ["赵六"]


def test_a_warehouse_path_with_a_quote_publishes(tmp_path):
    """The snapshot is attached by its path as a SQL string: an office's folder may be named O'Brien."""
    folder = tmp_path / "o'brien's data"
    folder.mkdir()
    con = connect(folder / "wh.duckdb")
    build(con, world("hebei"), dt.date(2025, 12, 31), models=["fct_violations"])
    target = publish(con, folder / "wh.duckdb")
    publish(con, folder / "wh.duckdb")  # and again, over the last snapshot
    con.close()
    with duckdb.connect(str(target), read_only=True) as reader:
        assert reader.execute("select count(*) from stg_units").fetchone() == (1,)


def test_a_spark_builds_folder_names_only_tables_this_release_publishes(tmp_path):
    """publish --from reads judged.json from shared storage: a table name in it reaches SQL only if
    it is one the snapshot publishes, so a tampered file cannot run a statement of its own."""
    import json

    from orchestration.publish import JUDGED, publish_from

    (tmp_path / "marts" / "dim_units").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"copy (select 'U1' as unit_id) to '{tmp_path}/marts/dim_units/part-0.parquet' (format parquet)")
    for name in ("dim_units; drop table dim_units", "raw_media", "dim_units as select 1; --"):
        (tmp_path / "marts" / JUDGED).write_text(json.dumps({"as_of": "2025-12-31", "tables": {name: 1}, "views": []}))
        try:
            publish_from(tmp_path / "marts", tmp_path / "wh.duckdb")
        except ValueError as exc:
            assert "does not publish" in str(exc)
        else:
            raise AssertionError(f"{name!r} was published")
    (tmp_path / "marts" / JUDGED).write_text(json.dumps({"as_of": "2025-12-31", "tables": {"dim_units": 1},
                                                         "views": []}))
    with duckdb.connect(str(publish_from(tmp_path / "marts", tmp_path / "wh.duckdb")), read_only=True) as reader:
        assert reader.execute("select unit_id from dim_units").fetchall() == [("U1",)]
