"""The dimensions readers share (dim_units, dim_unit_descendants, dim_periods,
dim_profile_family_weights): input rows → models → exact rows. The dashboard and the workbook hold
no tree or period logic of their own; this is it."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from modelkit import build, table, world

T = dt.datetime


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def units(*rows: tuple[str, str | None]) -> list[dict]:
    return [{"unit_id": u, "unit_name": f"单位{u}", "parent_unit_id": p, "rule_profile": "hebei"} for u, p in rows]


def test_the_unit_tree_lists_each_unit_after_its_parent_with_its_depth(con):
    # U9's parent is no unit: it is a root; U5 and U6 are each other's parent: no root reaches them
    build(con, world(units=units(("U1", None), ("U2", "U1"), ("U10", "U1"), ("U3", "U2"), ("U9", "U404"),
                                 ("U5", "U6"), ("U6", "U5")), cases=[]),
          models=["dim_units", "dim_unit_descendants"])
    rows = table(con, "select unit_id, depth from dim_units order by tree_order")
    assert [(r["unit_id"], r["depth"]) for r in rows] == [
        ("U1", 0), ("U10", 1), ("U2", 1), ("U3", 2), ("U9", 0), ("U5", None), ("U6", None)]
    below = table(con, "select ancestor_unit_id as a, list(unit_id order by unit_id) as units "
                       "from dim_unit_descendants group by all order by a")
    assert {r["a"]: r["units"] for r in below} == {
        "U1": ["U1", "U10", "U2", "U3"], "U10": ["U10"], "U2": ["U2", "U3"], "U3": ["U3"], "U9": ["U9"],
        "U5": ["U5", "U6"], "U6": ["U5", "U6"]}  # a cycle ends: each reaches the other once


def test_periods_run_from_the_first_month_judged_to_as_of_with_the_one_before_each(con):
    media = [{"media_id": "M1", "device_id": "DSJ-1", "officer_id": "O1", "recorded_start": T(2024, 11, 5, 9),
              "recorded_end": T(2024, 11, 5, 10), "uploaded_at": T(2024, 11, 5, 11), "sha256": "a" * 64,
              "size_bytes": 1}]
    build(con, world(media=media), as_of=dt.date(2025, 2, 10), models=["dim_periods"])
    rows = {(r["period_type"], r["period"]): r for r in table(con, "select * from dim_periods")}
    assert sorted(rows) == [("month", "2024-11"), ("month", "2024-12"), ("month", "2025-01"), ("month", "2025-02"),
                            ("quarter", "2024Q4"), ("quarter", "2025Q1"), ("year", "2024"), ("year", "2025")]
    q1 = rows[("quarter", "2025Q1")]
    assert (q1["period_start"], q1["period_end"], q1["previous_period"]) == (
        dt.date(2025, 1, 1), dt.date(2025, 4, 1), "2024Q4")
    assert (q1["label_zh"], q1["label_en"]) == ("2025年第一季度", "Q1 2025")
    assert rows[("quarter", "2024Q4")]["label_zh"] == "2024年第四季度"  # as Chinese reports name them
    january = rows[("month", "2025-01")]
    assert (january["previous_period"], january["spot_check_period_type"], january["spot_check_period"],
            january["label_zh"]) == ("2024-12", "quarter", "2025Q1", "2025年1月")
    assert (january["label_en"], rows[("year", "2025")]["label_en"]) == ("January 2025", "2025")  # English: not codes
    assert rows[("year", "2024")]["previous_period"] == "2023"
    assert rows[("year", "2025")]["period_end"] == dt.date(2026, 1, 1)


def test_nothing_judged_means_no_periods(con):
    build(con, world(cases=[]), models=["dim_periods"])
    assert table(con, "select * from dim_periods") == []


def test_each_profile_weighs_each_family_its_scoring_table_lists(con):
    build(con, world(cases=[]), models=["dim_profile_family_weights"])
    rows = table(con, "select * from dim_profile_family_weights where profile_id = 'hebei'")
    weights = {r["family"]: r["weight"] for r in rows}
    assert weights["av_coverage"] == 21.0 and weights["labelling"] == 0.0  # an indicator only, under hebei
    assert {(r["regulation_short_zh"], r["regulation_en"]) for r in rows} == {
        ("《河北省行政执法全过程记录办法》", "Hebei Province Measures for Whole-Process Recording of Administrative Law Enforcement")}
