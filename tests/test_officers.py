"""The officers page's data: which checks are an officer's, and their counts per rule and period
(mart_officer_rule_period_rates), from input rows written here (modelkit), under longjiang, where
upload (第五条、第十八条), AV coverage (第九条第（一）项), labelling (第十八条) and the pre-duty device
check (第十四条) are all violations."""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics

import duckdb
import pytest
from test_dashboard import Q3, YEAR, call, snap, sql  # noqa: F401  (the same sample snapshot)

from core.privacy import mask
from dashboards import access, officers
from dashboards.app import create_app
from dashboards.queries import officers as queries

from modelkit import DEVICE, build, table, world

# DataTable is deprecated in favour of dash-ag-grid (not a dependency here); it still works in Dash 4
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:dash.development.base_component")

T = dt.datetime
D = dt.timedelta
DAY = T(2025, 3, 4, 9, 0)
LABELS = {"case_id": "C1", "party_label": "王某某", "handler_label": "李娜"}


def rec(media_id: str, start: T, end: T, **kw) -> dict:
    return {"media_id": media_id, "device_id": "DSJ-1", "officer_id": "O1", "recorded_start": start,
            "recorded_end": end, "uploaded_at": end, "sha256": "a" * 64, "size_bytes": 1_000_000, **kw}


def act(act_id: str, start: T, end: T, officers: tuple[str, ...]) -> dict:
    return {"act_id": act_id, "case_id": "C1", "act_type": "on_site_inspection", "started_at": start,
            "ended_at": end, "officer_ids": list(officers)}


def ev(event_type: str, at: T, device_id: str = "DSJ-1") -> dict:
    return {"device_id": device_id, "event_time": at, "event_type": event_type}


def officers_world() -> dict:
    """O1 (张伟, camera DSJ-1) and O2 (李娜, camera DSJ-2) inspect together at 09:00 and nothing records
    it; O2 inspects alone at 12:00 and records it, labelled; O1 stores one recording on time and one
    31 hours after it ended; DSJ-1 starts recording on the 4th with no pre-duty check, DSJ-2 after one."""
    return world("longjiang",
                 devices=[DEVICE, {**DEVICE, "device_id": "DSJ-2", "officer_id": "O2"}],
                 acts=[act("A1", DAY, DAY + D(minutes=30), ("O1", "O2")),
                       act("A2", DAY + D(hours=3), DAY + D(hours=4), ("O2",))],
                 media=[rec("M1", DAY - D(hours=2), DAY - D(hours=1)),
                        rec("M2", DAY + D(hours=5), DAY + D(hours=6), uploaded_at=DAY + D(hours=37)),
                        rec("M3", DAY + D(hours=3), DAY + D(hours=4), device_id="DSJ-2", officer_id="O2",
                            **LABELS),
                        # ends on the last day: its 24 hours are not over at as_of, so it is not judged yet
                        rec("M4", T(2025, 3, 31, 20), T(2025, 3, 31, 21), uploaded_at=None)],
                 device_events=[ev("record_start", T(2025, 3, 4, 7, 0)),
                                ev("pre_duty_check", T(2025, 3, 4, 11, 0), "DSJ-2"),
                                ev("record_start", T(2025, 3, 4, 12, 0), "DSJ-2")])


@pytest.fixture
def con():
    c = duckdb.connect()
    build(c, officers_world(), dt.date(2025, 3, 31),
          models=["mart_officer_rule_period_rates", "dim_officers", "fct_violations"])
    yield c
    c.close()


def counts(con, rule: str, period: str = "2025-03") -> dict[str, tuple]:
    return {r["officer_id"]: (r["level"], r["checked"], r["judged"], r["compliant"]) for r in table(con, """
        select * from mart_officer_rule_period_rates where rule_id = ? and period = ?""", [rule, period])}


def test_an_act_not_recorded_is_every_one_of_its_officers(con):
    """longjiang 第九条第（一）项: a 现场检查 must be recorded. A1, which nobody recorded, counts against
    both its officers; A2, which O2 recorded, is O2's compliant act. fct_violations keeps one finding
    per act, on its first officer."""
    assert counts(con, "R-AV") == {"O1": ("violation", 1, 1, 0), "O2": ("violation", 2, 2, 1)}
    assert table(con, "select violation_id, officer_id from fct_violations where rule_id = 'R-AV'") == [
        {"violation_id": "R-AV:A1", "officer_id": "O1"}]


def test_recordings_uploads_and_labels_are_their_officers(con):
    """longjiang 第五条、第十八条: stored within 24 hours; 第十八条: labelled. O1's M2, stored 31 hours
    after it ended, is a violation and M4, its deadline still ahead at as_of, is checked (a recording) but not
    judged; O2's labelled recording of A2 complies. Quarter and year are the sums of the months."""
    assert counts(con, "R-UPL") == {"O1": ("violation", 3, 2, 1), "O2": ("violation", 1, 1, 1)}
    assert counts(con, "R-UPL", "2025Q1") == counts(con, "R-UPL", "2025") == counts(con, "R-UPL")
    assert counts(con, "R-LBL") == {"O2": ("violation", 1, 1, 1)}


def test_the_pre_duty_check_is_the_cameras_user(con):
    """longjiang 第十四条: a device-day that records needs a check before its first recording; it is
    the officer's the device register gives the camera to."""
    assert counts(con, "R-DEV-CHECK") == {"O1": ("violation", 1, 1, 0), "O2": ("violation", 1, 1, 1)}


def test_officer_violations_add_up_to_the_findings_but_for_shared_acts(con):
    """Every finding that names an officer is counted once for them; an R-AV finding for each officer
    of the act. Checks that name no officer (R-DOC, a case's documents) are nobody's."""
    per_officer = table(con, """
        select officer_id, cast(sum(judged - compliant) as int) as violations
        from mart_officer_rule_period_rates where period = '2025-03' and level = 'violation'
        group by all order by all""")
    assert per_officer == [{"officer_id": "O1", "violations": 3}, {"officer_id": "O2", "violations": 1}]
    assert table(con, """select officer_id, count(*) as n from fct_violations where officer_id is not null
                         group by all order by all""") == [{"officer_id": "O1", "n": 3}]


def test_dim_officers_names_each_officer_and_their_unit(con):
    assert table(con, "select officer_id, officer_name, unit_id, unit_name from dim_officers") == [
        {"officer_id": "O1", "officer_name": "张伟", "unit_id": "U1", "unit_name": "测试中队"},
        {"officer_id": "O2", "officer_name": "李娜", "unit_id": "U1", "unit_name": "测试中队"}]


# --- the page, on a generated snapshot -------------------------------------------------------

def mart_officers(sql, period: str, unit_id: str | None = None) -> dict[str, tuple]:
    """Per officer, from the mart itself: recordings, R-UPL rate, violations, judged, per 100."""
    return {o: (rec, upl, v, j, round(100 * v / j, 2) if j else None) for o, rec, upl, v, j in sql("""
        select officer_id,
               sum(checked) filter (where rule_id = 'R-UPL'),
               sum(compliant) filter (where rule_id = 'R-UPL') / sum(judged) filter (where rule_id = 'R-UPL'),
               sum(judged - compliant) filter (where level = 'violation'),
               sum(judged) filter (where level = 'violation')
        from mart_officer_rule_period_rates
        where period = ? and (cast(? as varchar) is null or unit_id = ?)
        group by 1""", period, unit_id, unit_id)}


def test_the_officers_table_sums_the_mart_and_ranks_within_each_unit(snap, sql):
    """The page only sums mart_officer_rule_period_rates; the place is by violations per 100 judged
    items, fewest first, among the officers of the same unit (ties share it)."""
    rows, columns = officers.officer_records(snap, Q3, "zh")
    want = mart_officers(sql, "2025Q3")
    assert {r["officer_id"] for r in rows} == set(want)
    for r in rows:
        recordings, upload, violations, judged, per_100 = want[r["officer_id"]]
        assert (r["recordings"], r["violations"], r["judged"]) == (recordings, violations, judged)
        assert r["upload_rate"] == pytest.approx(round(100 * upload, 1))
        assert r["per_100"] == pytest.approx(per_100)
    home = dict(sql("select officer_id, unit_id from dim_officers"))
    by_unit: dict[str, list] = {}
    for r in rows:
        by_unit.setdefault(home[r["officer_id"]], []).append(r)
    for unit_rows in by_unit.values():
        places = [int(r["place"].split("/")[0]) for r in unit_rows]
        assert places == sorted(places) and places[0] == 1
        assert {r["place"].split("/")[1] for r in unit_rows} == {str(len(unit_rows))}
        for a, b in zip(unit_rows, unit_rows[1:]):
            assert a["per_100"] <= b["per_100"] and (a["per_100"] < b["per_100"]) == (a["place"] != b["place"])
    names = dict(sql("select officer_id, officer_name from dim_officers"))
    assert all(r["officer_name"] == names[r["officer_id"]] for r in rows)
    assert [c["name"] for c in columns][:5] == ["单位内名次", "姓名", "执法人员编号", "单位", "每百项判定事项违规数"]


def test_the_unit_filter_keeps_the_officers_judged_there(snap, sql):
    unit = sql("""select unit_id from mart_officer_rule_period_rates where period = '2025'
                  and unit_id not in (select parent_unit_id from dim_units where parent_unit_id is not null)
                  group by 1 order by count(distinct officer_id) desc, 1 limit 1""")[0][0]
    rows, _ = officers.officer_records(snap, {**YEAR, "unit_id": unit}, "en")
    want = mart_officers(sql, "2025", unit)
    assert {r["officer_id"]: (r["recordings"], r["violations"], r["judged"]) for r in rows} == \
        {o: (rec, v, j) for o, (rec, _, v, j, _) in want.items()}


def test_the_table_is_paged_and_sorted_on_the_server(snap):
    """A province has 20,000 officers: the table sends one page, sorted as asked over all of them
    (empty values last, ties in the list's own order), and refuses what DataTable would not send."""
    every, _ = officers.officer_records(snap, YEAR, "en")
    page, columns, pages = officers.officer_page(snap, YEAR, "en", 1, 5)
    assert page == every[5:10] and pages == -(-len(every) // 5) > 2
    assert [c["id"] for c in columns][:4] == ["place", "officer_name", "officer_id", "unit_name"]
    ranked, _, _ = officers.officer_page(snap, YEAR, "en", 0, 1000, [{"column_id": "per_100", "direction": "desc"},
                                                                      {"column_id": "officer_id", "direction": "asc"}])
    assert ranked == sorted(every, key=lambda r: (r["per_100"] is None, -(r["per_100"] or 0), r["officer_id"]))
    last, _, _ = officers.officer_page(snap, YEAR, "en", 10**6, 5)  # past the end: the last page
    assert last == every[(pages - 1) * 5:]
    for bad in ({"page_current": -1}, {"page_size": 0}, {"page_size": 5000}, {"page_current": "1"},
                {"sort_by": [{"column_id": "party_name"}]}, {"sort_by": "per_100"}):
        args = {"page_current": 0, "page_size": 5, "sort_by": None, **bad}
        with pytest.raises(access.BadParameter):
            officers.officer_page(snap, YEAR, "en", **args)
    # through the server, as the table asks for a page
    resp = call(create_app(snap), "..of-table.data...of-table.columns...of-table.page_count...of-table.page_current..",
                [{"id": "of-table", "property": p} for p in ("data", "columns", "page_count", "page_current")],
                [{"id": "filters", "property": "data", "value": {**YEAR, "lang": "en"}},
                 {"id": "of-table", "property": "page_current", "value": 2},
                 {"id": "of-table", "property": "page_size", "value": 5},
                 {"id": "of-table", "property": "sort_by", "value": [{"column_id": "violations", "direction": "desc"}]}],
                changed=["of-table.page_current"])
    by_violations = sorted(every, key=lambda r: -r["violations"])  # stable: ties in the list's order
    assert resp["of-table"]["data"] == by_violations[10:15] and resp["of-table"]["page_current"] == 2


def test_an_officers_violations_are_those_the_table_counts(snap, sql):
    """The panel lists the findings that name the officer and, for R-AV (rules.md §5: an act its profile
    requires recorded), the acts they took part in that were not recorded as required: as many as the table counts, by rule as the mart
    has them. Rule names in words, severity in words, party names masked."""

    shared = sql("""select o.officer_id from fct_act_av_coverage a, unnest(a.officer_ids) as o(officer_id)
                    where a.officer_ids[1] <> o.officer_id and a.status in ('missing', 'partial')
                      and a.requirement in ('required', 'full') and year(a.started_at) = 2025
                    group by 1 order by count(*) desc, 1 limit 1""")[0][0]
    rows, _ = officers.officer_records(snap, YEAR, "zh")
    row = next(r for r in rows if r["officer_id"] == shared)
    listed, total = queries.officer_violations(snap, YEAR, shared, "zh", limit=100_000)
    assert total == len(listed) == row["violations"]
    by_rule = dict(sql("""select rule_id, sum(judged - compliant) from mart_officer_rule_period_rates
                          where officer_id = ? and period = '2025' and level = 'violation' group by 1
                          having sum(judged - compliant) > 0""", shared))
    names = dict(sql("select name_zh, rule_id from dim_rules"))
    assert {names[r]: n for r, n in listed.groupby("rule").size().items()} == by_rule
    # the R-AV findings listed include acts whose finding names another officer first
    assert (listed["rule"] == "应当音像记录的执法环节").sum() > sql(
        "select count(*) from fct_violations where rule_id = 'R-AV' and officer_id = ? and year(occurred_at) = 2025",
        shared)[0][0]
    panel = officers.officer_panel(snap, YEAR, shared, "zh")
    by_rule_table, list_table = panel[2], panel[4]
    assert {r["rule_name"]: r["violations"] for r in by_rule_table.data} == \
        {n: by_rule[r] for n, r in names.items() if r in by_rule}
    parties = {r["party_name"] for r in list_table.data if r["party_name"]}
    real = {p for p, in sql("select party_name from dim_cases where party_name is not null")}
    assert parties and not parties & real and parties <= {mask(p) for p in real}
    assert {r["severity"] for r in list_table.data} <= {"高", "中", "低"}
    text = json.dumps([c.to_plotly_json() for c in panel], default=str, ensure_ascii=False)
    assert not re.search(r"R-[A-Z]", text)


def test_the_ranking_chart_is_sorted_with_the_median(snap, sql):
    fig = officers.ranking_figure(snap, YEAR, "en")
    rows, _ = officers.officer_records(snap, YEAR, "en")
    per_100 = sorted(r["per_100"] for r in rows if r["per_100"] is not None)
    bars = list(fig.data[0].x)
    assert bars == sorted(bars) and len(bars) == min(len(per_100), officers.CHART_LIMIT)
    assert bars[-1] == per_100[-1] and fig.layout.xaxis.range[0] == 0
    assert fig.layout.shapes[0].x0 == pytest.approx(statistics.median(per_100))
    assert fig.layout.xaxis.title.text == "Violations per 100 judged items"


def test_a_click_on_an_officer_opens_their_violations_through_the_server(snap):
    app = create_app(snap)
    rows, _ = officers.officer_records(snap, YEAR, "en")
    resp = call(app, "of-officer.data", {"id": "of-officer", "property": "data"},
                [{"id": "of-chart", "property": "clickData", "value": None},
                 {"id": "of-table", "property": "active_cell", "value": {"row": 3, "column": 1}}],
                [{"id": "of-table", "property": "derived_viewport_data", "value": rows}],
                changed=["of-table.active_cell"])
    picked = resp["of-officer"]["data"]
    assert picked == rows[3]["officer_id"]
    resp = call(app, "of-panel.children", {"id": "of-panel", "property": "children"},
                [{"id": "filters", "property": "data", "value": {**YEAR, "lang": "en"}},
                 {"id": "of-officer", "property": "data", "value": picked}])
    text = json.dumps(resp, ensure_ascii=False)
    assert f"Violations of {rows[3]['officer_name']} ({picked}" in text
    assert f"{rows[3]['violations']:,} in all" in text
