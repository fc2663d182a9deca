"""The oversight dashboard (dashboards/): page functions against SQL on a published snapshot built
from generated data, and a smoke check of the served app through Dash's test client (no browser)."""

from __future__ import annotations

import datetime as dt
import io
import json

import dash
import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from plotly.utils import PlotlyJSONEncoder

import dashboards.query
from core.privacy import mask
from core.settings import Settings
from dashboards import access, dims, status, views
from dashboards.app import create_app, log_unmasking, pages, tree_labels, unit_options
from dashboards.labels import UI, t
from dashboards.queries import devices, overview, quality, retention, scorecard, violations, warnings

# DataTable is deprecated in favour of dash-ag-grid (not a dependency here); it still works in Dash 4
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:dash.development.base_component")

YEAR = {"period_type": "year", "period": "2025", "unit_id": None}
Q3 = {"period_type": "quarter", "period": "2025Q3", "unit_id": None}


@pytest.fixture(scope="module")
def snap(samples):
    return samples.published(11)


@pytest.fixture(scope="module")
def sql(snap):
    con = duckdb.connect(str(snap), read_only=True)
    yield lambda q, *p: con.execute(q, list(p)).fetchall()
    con.close()


@pytest.fixture(scope="module")
def app(snap):
    return create_app(snap)


@pytest.fixture(scope="module")
def child_unit(sql):
    """A unit with a parent and violations in 2025Q3."""
    return sql("""select v.unit_id from fct_violations v join int_units u using (unit_id)
                  where u.parent_unit_id is not null and v.occurred_at >= '2025-07-01' and v.occurred_at < '2025-10-01'
                  group by 1 order by count(*) desc, 1 limit 1""")[0][0]


def call(app, output: str, outputs, inputs: list[dict], state: list[dict] | None = None,
         changed: list[str] | None = None):
    """Fire one callback as the browser would, through the Flask test client."""
    client = app.server.test_client()
    client.get("/")  # first request sets the server up (page callbacks, routing)
    body = {"output": output, "outputs": outputs, "inputs": inputs, "state": state or [],
            "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:500]
    return resp.get_json()["response"]


# --- the app ---------------------------------------------------------------------------------

def test_app_registers_every_page_and_serves_each_path(app):
    paths = {p["path"] for p in dash.page_registry.values()}
    assert [path for _, path, _ in pages()] == ["/", "/warnings", "/units", "/officers", "/rules", "/ledger",
                                                "/retention", "/devices", "/quality", "/case"]
    assert {path for _, path, _ in pages()} <= paths
    client = app.server.test_client()
    for _, path, _ in pages():
        resp = client.get(path)
        assert resp.status_code == 200, path
    assert client.get("/_dash-layout").status_code == 200
    deps = client.get("/_dash-dependencies").get_json()
    outputs = " ".join(d["output"] for d in deps)
    for target in ("ov-content.children", "wa-counts.data", "wa-table.data", "un-table.data", "ru-table.data", "ru-csv.href",
                   "lg-units.data", "lg-cases.data", "lg-csv.href",
                   "retention-content.children", "devices-content.children", "quality-content.children",
                   "filters.data", "unit.value"):
        assert target in outputs


def test_ui_strings_have_both_languages():
    assert all(len(v) == 2 and v[0] and v[1] for v in UI.values())
    assert t("page_overview", "zh") == "总览" and t("page_overview", "en") == "Overview"


# --- overview --------------------------------------------------------------------------------

def test_violations_by_rule_equal_sql(snap, sql):
    got = overview.violations_by_rule(snap, Q3)
    want = sql("""select rule_id, count(*) from fct_violations
                  where occurred_at >= '2025-07-01' and occurred_at < '2025-10-01' group by 1""")
    assert dict(zip(got["rule_id"], got["violations"])) == dict(want)
    fig = views.violations_by_rule_figure(snap, Q3, "zh")
    assert sum(fig.data[0].x) == sum(n for _, n in want)
    names = dict(sql("select rule_id, name_zh from dim_rules"))
    assert set(fig.data[0].y) == {names[r] for r, _ in want}  # by name: no code like R-UPL on screen


def test_headline_rates_equal_sql_and_compare_with_previous_period(snap, sql):
    rows = {r["family"]: r for r in views.headline(snap, Q3, "zh")}
    for period, key in (("2025Q3", "rate"), ("2025Q2", "previous_rate")):
        want = dict(sql("""select family, sum(compliant) / sum(judged) from mart_unit_rule_period_rates
                           where level = 'violation' and period_type = 'quarter' and period = ? group by 1""", period))
        for family, rate in want.items():
            assert rows[family][key] == pytest.approx(rate)
        judged, compliant = sql("""select sum(judged), sum(compliant) from mart_unit_rule_period_rates
                                   where level = 'violation' and period_type = 'quarter' and period = ?""", period)[0]
        assert rows["all"][key] == pytest.approx(compliant / judged)
    assert rows["all"]["label"] == "总体"
    r = rows["all"]
    assert r["change_points"] == pytest.approx(round(100 * (r["rate"] - r["previous_rate"]), 2))


def test_cards_are_coloured_by_the_stated_thresholds_and_ordered_by_weight(snap, sql, monkeypatch):
    """A card's colour follows the settings (rate_green, rate_red), which the legend under the cards
    states; 总体 comes first, then the families by their scoring weight over the units in scope, and
    a change is said in percentage points."""
    records = views.headline(snap, Q3, "zh")
    weights = dict(sql("""select w.family, avg(w.weight) from dim_units u
                          join dim_profile_family_weights w using (profile_id) group by 1"""))
    assert records[0]["family"] == "all"
    assert [weights[r["family"]] for r in records[1:]] == sorted((weights[r["family"]] for r in records[1:]), reverse=True)
    monkeypatch.setenv("RECWATCH_RATE_GREEN", "0.99")
    monkeypatch.setenv("RECWATCH_RATE_RED", "0.9")
    cards = views.headline_cards(records, Q3, "zh")
    shown = {}
    for link, r in zip(cards.children[0].children, records):
        rate = link.children.children[1]
        shown[r["family"]] = rate.className
        want = "green" if r["rate"] >= 0.99 else "red" if r["rate"] < 0.9 else "yellow"
        assert rate.className == f"status-{want}", r
    assert {"status-yellow", "status-red"} <= set(shown.values())  # the sample has both
    legend = " ".join(c.children for c in cards.children[1].children)
    assert "绿：≥ 99%" in legend and "黄：90%–99%" in legend and "红：< 90%" in legend
    assert "个百分点" in str(cards.children[0].children[0])


def test_score_trend_is_the_monthly_scorecard(snap, sql):
    fig = views.score_trend_figure(snap, YEAR, "zh")
    got = {(tr["name"], x): y for tr in fig["data"] for x, y in zip(tr["x"], tr["y"])}
    want = {(name, p): s for name, p, s in sql("""select unit_name, period, score from mart_unit_period_scorecard
                                                  where period_type = 'month'""")}
    assert got == pytest.approx(want)
    # months on a category axis, named in words: one month alone is a point, not an axis of milliseconds
    axis = fig["layout"]["xaxis"]
    assert axis["type"] == "category" and axis["ticktext"][0] == "2025年1月" and axis["tickvals"][0] == "2025-01"


def test_the_overview_counts_the_warnings_and_links_to_their_page(snap, sql):
    """The overview says how many are open (rules.md §8: red, yellow, and the review before
    disposal apart, as a task); the rows are on the warnings page (tests/test_warnings_page.py)."""
    red, yellow, disposal = sql("""select count(*) filter (where kind <> 'disposal_review' and level = 'red'),
                                          count(*) filter (where kind <> 'disposal_review' and level = 'yellow'),
                                          count(*) filter (where kind = 'disposal_review') from mart_warnings""")[0]
    assert warnings.summary(snap, YEAR) == {"red": red, "yellow": yellow, "disposal": disposal}
    assert red and disposal
    text = json.dumps(views.warnings_summary(snap, YEAR, "zh"), cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert f"红色（已逾期）{red:,} 条，黄色（即将到期）{yellow:,} 条；销毁前审核：{disposal:,} 条待办" in text
    assert '"href": "/warnings"' in text
    page = json.dumps(views.overview(snap, YEAR, "zh"), cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert "ov-warnings-link" in page and '"DataTable"' not in page


def test_unit_filter_changes_the_numbers(snap, sql, child_unit):
    everyone = overview.violations_by_rule(snap, Q3)
    one = overview.violations_by_rule(snap, {**Q3, "unit_id": child_unit})
    want = dict(sql("""select rule_id, count(*) from fct_violations where unit_id = ?
                       and occurred_at >= '2025-07-01' and occurred_at < '2025-10-01' group by 1""", child_unit))
    assert dict(zip(one["rule_id"], one["violations"])) == want
    assert one["violations"].sum() < everyone["violations"].sum()
    assert set(scorecard.scorecard(snap, {**Q3, "unit_id": child_unit})["unit_id"]) == {child_unit}
    assert sum(warnings.summary(snap, {**Q3, "unit_id": child_unit}).values()) == \
        sql("select count(*) from mart_warnings where unit_id = ?", child_unit)[0][0]


def test_profile_filter_keeps_the_units_under_that_regulation(snap, sql):
    got = overview.violations_by_rule(snap, {**Q3, "profile_id": "hebei"})
    want = dict(sql("""select rule_id, count(*) from fct_violations v join int_units u using (unit_id)
                       where u.profile_id = 'hebei' and occurred_at >= '2025-07-01' and occurred_at < '2025-10-01'
                       group by 1"""))
    assert dict(zip(got["rule_id"], got["violations"])) == want
    assert set(scorecard.scorecard(snap, {**Q3, "profile_id": "hebei"})["unit_id"]) == \
        {u for u, in sql("select unit_id from int_units where profile_id = 'hebei'")}


def test_a_parent_unit_covers_the_units_below_it(snap, sql):
    root = sql("select unit_id from int_units where parent_unit_id is null")[0][0]
    assert overview.violations_by_rule(snap, {**Q3, "unit_id": root})["violations"].sum() == \
        overview.violations_by_rule(snap, Q3)["violations"].sum()


# --- units -----------------------------------------------------------------------------------

def test_scorecard_is_ranked_and_matches_the_mart(snap, sql):
    rows, columns = views.scorecard_records(snap, Q3, "zh")
    want = sql("""select unit_id, score, rank, score_change from mart_unit_period_scorecard
                  where period_type = 'quarter' and period = '2025Q3' order by score desc, unit_id""")
    # one decimal, as the chart says them
    assert [(r["unit_id"], r["score"], r["rank"], r["score_change"]) for r in rows] == \
        [(u, pytest.approx(s, abs=0.051), k, pytest.approx(c, abs=0.051) if c is not None else None)
         for u, s, k, c in want]
    assert all(r[c] is None or r[c] == round(r[c], 1) for r in rows for c in ("score", "score_change"))
    assert [r["place"] for r in rows] == list(range(1, len(rows) + 1))
    names = {c["id"]: c["name"] for c in columns}
    assert names["score"] == "得分" and names["upload_rate"].startswith("及时存储")



def test_the_units_chart_ranks_the_units_apart_from_their_parent_on_an_axis_that_shows_the_spread(snap, sql):
    """Horizontal bars, best at the top (drawn bottom-up), coloured by the stated score thresholds;
    the parent bureau (its score is not ranked among its units) a dashed line; names without the
    prefix they share, the full name on hover; the axis starts just below the lowest score."""
    want = sql("""select s.unit_id, s.unit_name, s.score, u.parent_unit_id from mart_unit_period_scorecard s
                  join dim_units u using (unit_id)
                  where period_type = 'quarter' and period = '2025Q3' order by score desc, unit_id""")
    fig = views.scorecard_figure(snap, Q3, "en")
    bars = fig.data[0]
    children = [w for w in want if w[3] is not None]
    assert list(bars.customdata)[::-1] == [u for u, *_ in children] and bars.orientation == "h"
    assert list(bars.hovertext)[::-1] == [n for _, n, *_ in children]
    assert all(not y.startswith("永宁县综合行政执法大队") and n.endswith(y) for y, n in zip(bars.y, bars.hovertext))
    parent = next(w for w in want if w[3] is None)
    assert [s.x0 for s in fig.layout.shapes] == [pytest.approx(parent[2])]
    assert 0 < fig.layout.xaxis.range[0] <= min(w[2] for w in want)
    thresholds = status.score_thresholds()
    assert list(bars.marker.color) == [status.COLOURS[thresholds.status(x)] for x in bars.x]


def test_short_names_keep_something_of_each_name():
    assert views.short_names(["某县局一队", "某县局二队"]) == ["一队", "二队"]
    assert views.short_names(["某县局", "某县局一队"]) == ["局", "局一队"]
    assert views.short_names(["甲"]) == ["甲"] and views.short_names(["甲", "乙"]) == ["甲", "乙"]


def test_clicking_a_unit_picks_it(snap):
    rows, _ = views.scorecard_records(snap, Q3, "zh")
    assert views.unit_from_click(None, {"row": 1, "column": 0}, rows) == rows[1]["unit_id"]
    assert views.unit_from_click({"points": [{"customdata": "U9"}]}, None, rows) == "U9"
    assert views.unit_from_click(None, None, rows) is None


def test_a_click_on_the_scorecard_sets_the_unit_filter(app, snap):
    rows, _ = views.scorecard_records(snap, Q3, "zh")
    resp = call(app, "unit.value", {"id": "unit", "property": "value"},
                [{"id": "un-chart", "property": "clickData", "value": None},
                 {"id": "un-table", "property": "active_cell", "value": {"row": 2, "column": 1}}],
                [{"id": "un-table", "property": "derived_viewport_data", "value": rows}],
                changed=["un-table.active_cell"])
    assert resp["unit"]["value"] == rows[2]["unit_id"]


# --- rules -----------------------------------------------------------------------------------

def test_rules_table_pages_in_sql_with_the_right_slice_and_total(snap, sql):
    want = sql("""select v.violation_id, v.rule_id from fct_violations v join rules_rules r using (rule_id)
                  where r.family = 'upload' and v.occurred_at >= '2025-01-01' and v.occurred_at < '2026-01-01'
                  order by v.occurred_at, v.violation_id""")
    size = 7
    rows, total, pages = views.violation_rows(snap, YEAR, "zh", "upload", 2, size)
    assert total == len(want) and pages == -(-len(want) // size)
    assert len(rows) == size
    media = [r["media_id"] for r in rows]
    want_media = sql("""select v.media_id from fct_violations v join rules_rules r using (rule_id)
                        where r.family = 'upload' and v.occurred_at >= '2025-01-01' and v.occurred_at < '2026-01-01'
                        order by v.occurred_at, v.violation_id limit 7 offset 14""")
    assert media == [m for m, in want_media]
    assert set(rows[0]) == set(violations.VIOLATION_ORDER)
    assert rows[0]["citation"].startswith("《") and not rows[0]["rule"].startswith("R-")  # rules by name


def test_rules_table_sorts_and_filters_with_parameters(snap, sql, child_unit):
    name = sql("select unit_name from int_units where unit_id = ?", child_unit)[0][0]
    query = "{unit} contains %s && {severity} = high" % name[-4:]
    rows, total, _ = views.violation_rows(snap, YEAR, "en", None, 0, 500,
                                          [{"column_id": "occurred_at", "direction": "desc"}], query)
    want = sql("""select count(*) from fct_violations v join int_units u using (unit_id)
                  where contains(u.unit_name, ?) and v.severity = 'high' and year(v.occurred_at) = 2025""", name[-4:])
    assert total == want[0][0] and len(rows) == min(total, 500)
    stamps = [r["occurred_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    # an injection attempt is a value, not SQL; an unknown column is ignored
    assert views.violation_rows(snap, YEAR, "zh", None, 0, 5, None, "{unit} = x' or 1=1 --")[1] == 0
    assert views.violation_rows(snap, YEAR, "zh", None, 0, 5, None, "{nope} = 1")[1] == \
        views.violation_rows(snap, YEAR, "zh", None, 0, 5)[1]
    assert violations.parse_filter_query('{unit} contains "a b" && {rule} = R-UPL') == [
        ("unit", "contains", "a b"), ("rule", "=", "R-UPL")]
    # contains ignores case where the text has any (the Chinese needs no lowering to compare)
    for lang, needle, column in (("en", "UPLOAD", "detail_en"), ("zh", "小时", "detail_zh")):
        want = sql(f"""select count(*) from fct_violations where year(occurred_at) = 2025
                       and contains(lower({column}), lower(?))""", needle)[0][0]
        assert 0 < views.violation_rows(snap, YEAR, lang, None, 0, 5, None, "{detail} contains " + needle)[1] == want


def test_rules_detail_follows_the_language(snap, sql):
    zh, _, _ = views.violation_rows(snap, YEAR, "zh", "archiving", 0, 3)
    en, _, _ = views.violation_rows(snap, YEAR, "en", "archiving", 0, 3)
    assert [r["detail"] for r in zh] != [r["detail"] for r in en]
    assert {r["detail"] for r in en} <= {d for d, in sql("select detail_en from fct_violations")}
    assert [c["name"] for c in views.violation_columns("en")][:3] == ["Rule", "Severity", "Unit"]


def export(app, fmt: str, filters: dict, family=None, sort_by=None, filter_query=None, **headers):
    """Download the current view through the link the rules page offers."""
    client = app.server.test_client()
    client.get("/")
    resp = client.get(views.export_href(fmt, filters, family, sort_by, filter_query), headers=headers)
    assert resp.status_code == 200, resp.data[:300]
    return resp


def test_party_names_are_masked_in_the_table_and_the_download(app, snap, sql):
    rows, _, _ = views.violation_rows(snap, YEAR, "zh", "archiving", 0, 200)
    shown = [r["party_name"] for r in rows if r["party_name"]]
    assert shown
    real = {n for n, in sql("select party_name from stg_cases")}
    assert not (set(shown) & real)
    assert all(s[1:] == "某某" for s in shown)
    assert set(shown) <= {mask(n) for n in real}
    for fmt in views.EXPORT_FORMATS:
        body = export(app, fmt, {**YEAR, "unmask": True}).data
        text = body.decode("utf-8") if fmt == "csv" else json.dumps(
            [list(ws.values) for ws in load_workbook(io.BytesIO(body)).worksheets], ensure_ascii=False, default=str)
        assert not any(n in text for n in real if len(n) > 1), fmt
        assert any(m in text for m in shown), fmt
    # the real name can't be probed through a filter or a sort on it
    name = sorted(real)[0]
    assert violations.parse_filter_query("{party_name} contains %s" % name[1:]) == []
    assert "party_name" not in violations._order_by([{"column_id": "party_name", "direction": "asc"}])


def test_unmasking_needs_the_server_flag_and_the_switch_and_is_logged(snap, sql, caplog):
    real = {n for n, in sql("select party_name from stg_cases")}
    proxied = Settings(trusted_proxies=("10.9.9.9",), access_users={"inspector7": "*"})
    allowed = create_app(snap, allow_unmask=True, settings=proxied)
    via_proxy = {"environ_base": {"REMOTE_ADDR": "10.9.9.9"}}
    client = allowed.server.test_client()
    client.get("/", **via_proxy)
    with allowed.server.test_request_context(**via_proxy):
        assert not access.unmask_allowed(YEAR)
        assert access.unmask_allowed({**YEAR, "unmask": True})
    caplog.set_level("WARNING", logger="recwatch.privacy")
    rows, _, _ = views.violation_rows(snap, YEAR, "zh", "archiving", 0, 200, unmask=True, who="inspector7@127.0.0.1")
    assert {r["party_name"] for r in rows if r["party_name"]} <= real
    parties = dict(sql("select case_id, party_name from stg_cases"))  # each row shows its own case's party
    assert any(r["party_name"] for r in rows) and all(r["party_name"] == parties.get(r["case_id"]) for r in rows)
    logged = [r.getMessage() for r in caplog.records if r.name == "recwatch.privacy"]
    assert len(logged) == 1 and "inspector7@127.0.0.1" in logged[0] and "period 2025" in logged[0] \
        and "family archiving" in logged[0]
    caplog.clear()
    # the user the trusted proxy names, and the client's address it forwards, are the ones logged
    resp = allowed.server.test_client().get(
        views.export_href("csv", {**YEAR, "unmask": True}, "archiving", None, None), **via_proxy,
        headers={"X-Forwarded-User": "inspector7", "X-Forwarded-For": "172.30.1.8"})
    assert resp.status_code == 200 and any(n in resp.data.decode() for n in real if len(n) > 1)
    logged = [r.getMessage() for r in caplog.records if r.name == "recwatch.privacy"]
    assert len(logged) == 1 and "export" in logged[0] and "inspector7@172.30.1.8" in logged[0]


def test_unmasked_views_are_written_to_a_log_beside_the_snapshot(snap, tmp_path):
    import logging
    import shutil
    copy = tmp_path / "x.published.duckdb"
    shutil.copy(snap, copy)
    path, handlers = log_unmasking(copy)
    try:
        views.violation_rows(copy, YEAR, "zh", "archiving", 0, 5, unmask=True, who="inspector7@10.0.0.9")
        views.violation_rows(copy, YEAR, "zh", "archiving", 0, 5)
    finally:
        for h in handlers:
            logging.getLogger("recwatch.privacy").removeHandler(h)
            h.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert path.name == "x.published.unmask.log" and len(lines) == 1
    assert lines[0][:4].isdigit() and "inspector7@10.0.0.9" in lines[0] and "family archiving" in lines[0]


def test_the_unmask_switch_is_only_offered_when_the_server_allows_it(app, snap):
    assert app_layout_ids(app)["unmask"]["options"] == []
    assert app_layout_ids(create_app(snap, allow_unmask=True))["unmask"]["options"][0]["label"] == t("unmask", "zh")


def app_layout_ids(app) -> dict:
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if "props" in node and isinstance(node["props"], dict) and node["props"].get("id"):
                found[node["props"]["id"]] = node["props"]
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    client = app.server.test_client()
    client.get("/")
    walk(client.get("/_dash-layout").get_json())
    return found


def test_download_is_the_whole_current_view(app, snap, sql):
    resp = export(app, "csv", {**Q3, "lang": "en"}, "archiving", None, "{severity} = medium")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="violations_archiving_2025Q3.csv"'
    frame = pd.read_csv(io.BytesIO(resp.data), encoding="utf-8-sig")
    want = sql("""select count(*) from fct_violations v join rules_rules r using (rule_id) where r.family = 'archiving'
                  and v.severity = 'medium' and v.occurred_at >= '2025-07-01' and v.occurred_at < '2025-10-01'""")
    assert len(frame) == want[0][0] > 0
    assert list(frame.columns)[:3] == ["Rule", "Severity", "Unit"]
    assert set(frame["Severity"]) == {"medium"}
    # the same view in Chinese, filtered by the label the table shows
    zh = pd.read_csv(io.BytesIO(export(app, "csv", {**Q3, "lang": "zh"}, "archiving", None, "{severity} = 中").data),
                     encoding="utf-8-sig")
    assert len(zh) == len(frame) and set(zh["严重程度"]) == {"中"}


def test_the_csv_streams_in_batches(snap, sql):
    batches = list(violations.violations_batches(snap, YEAR, "zh", batch_rows=100))
    total = sql("select count(*) from fct_violations where occurred_at >= '2025-01-01' and occurred_at < '2026-01-01'")
    assert len(batches) > 1 and max(map(len, batches)) <= 100
    assert sum(map(len, batches)) == total[0][0]
    pieces = list(views.export_csv(snap, YEAR, "zh", None))
    assert len(pieces) > 1 and pieces[0].startswith("\ufeff规则,严重程度")


def test_the_workbook_is_cut_at_its_limit_and_says_so(snap):
    body, written, cut = views.export_xlsx(snap, YEAR, "en", None, limit=7)
    wb = load_workbook(io.BytesIO(body))
    rows = list(wb.worksheets[0].values)
    assert written == 7 and cut and len(rows) == 8 and rows[0][:2] == ("Rule", "Severity")
    notes = [r[0] for r in wb.worksheets[1].values]
    assert t("export_cut", "en", limit="7") in notes
    _, written, cut = views.export_xlsx(snap, YEAR, "en", "start", limit=100_000)
    assert not cut and written == views.violation_rows(snap, YEAR, "en", "start")[1]


def test_code_values_are_shown_in_words(snap):
    zh, _, _ = views.violation_rows(snap, YEAR, "zh", None, 0, 200)
    en, _, _ = views.violation_rows(snap, YEAR, "en", None, 0, 200)
    assert {r["severity"] for r in zh} <= {"高", "中", "低"}
    assert {r["severity"] for r in en} <= {"high", "medium", "low"}
    records, _, _ = views.warning_rows(snap, YEAR, "zh", "compliance", page_size=200)
    assert {r["level"] for r in records} == {"红色", "黄色"} and {r["kind"] for r in records} <= {"入库", "归档", "紧急启动补批", "案卷评查整改"}
    text = json.dumps([c.to_plotly_json() for c in views.quality(snap, YEAR, "zh")], default=str, ensure_ascii=False)
    assert "部分拒收" in text or "成功" in text
    assert '"partial"' not in text and '"success"' not in text


def test_the_unit_filter_is_a_tree():
    labels = tree_labels([0, 1, 2, 2, 1, 2, 0], list("ABCDEFG"), "en")
    assert labels == ["A (and 5 subordinate units)", "├─ B (and 2 subordinate units)", "│　├─ C", "│　└─ D",
                      "└─ E (and 1 subordinate units)", "　　└─ F", "G"]


def test_unit_options_follow_the_tree(snap, sql):
    options = unit_options(snap, "zh")
    assert [o["value"] for o in options][0] == sql("select unit_id from int_units where parent_unit_id is null")[0][0]
    children = sql("select count(*) from int_units where parent_unit_id is not null")[0][0]
    assert options[0]["label"].endswith(f"（含下级单位 {children} 个）")
    assert all(o["label"].endswith(o["search"]) for o in options[1:])


def test_the_rules_callback_pages_through_the_server(app, snap):
    filters = {**YEAR, "lang": "en"}
    resp = call(app, "..ru-table.data...ru-table.columns...ru-table.page_count...ru-table.page_current"
                     "...ru-title.children...ru-total.children...ru-unmasked.children..",
                [{"id": "ru-table", "property": p} for p in ("data", "columns", "page_count", "page_current")]
                + [{"id": i, "property": "children"} for i in ("ru-title", "ru-total", "ru-unmasked")],
                [{"id": "filters", "property": "data", "value": filters},
                 {"id": "ru-family", "property": "value", "value": "upload"},
                 {"id": "ru-table", "property": "page_current", "value": 1},
                 {"id": "ru-table", "property": "page_size", "value": 10},
                 {"id": "ru-table", "property": "sort_by", "value": []},
                 {"id": "ru-table", "property": "filter_query", "value": ""}])
    rows, total, _ = views.violation_rows(snap, YEAR, "en", "upload", 1, 10)
    # the page's rows are the view's, each case and officer id a link to its page
    assert resp["ru-table"]["data"] == json.loads(json.dumps(views.with_case_links(rows, ("case_id", "officer_id"))))
    assert resp["ru-table"]["data"][0]["officer_id"].endswith(f"(/officers?officer_id={rows[0]['officer_id']})")
    assert resp["ru-title"]["children"].startswith("Violations: Upload")
    assert resp["ru-total"]["children"] == f"{total:,} in all"
    assert resp["ru-table"]["page_current"] == 1


def test_a_page_past_the_end_moves_to_the_last_page(app, snap):
    rows, total, pages = views.violation_rows(snap, YEAR, "zh", "start", 0, 10)
    assert views.clamp_page(999, pages) == pages - 1 and views.clamp_page(3, 0) == 0
    outputs = [{"id": "ru-table", "property": p} for p in ("data", "columns", "page_count", "page_current")] + \
        [{"id": i, "property": "children"} for i in ("ru-title", "ru-total", "ru-unmasked")]
    spec = ".." + "...".join(f"{o['id']}.{o['property']}" for o in outputs) + ".."
    resp = call(app, spec, outputs,
                [{"id": "filters", "property": "data", "value": {**YEAR, "lang": "zh"}},
                 {"id": "ru-family", "property": "value", "value": "start"},
                 {"id": "ru-table", "property": "page_current", "value": 999},
                 {"id": "ru-table", "property": "page_size", "value": 10},
                 {"id": "ru-table", "property": "sort_by", "value": []},
                 {"id": "ru-table", "property": "filter_query", "value": ""}])
    assert resp["ru-table"]["page_current"] == pages - 1
    assert len(resp["ru-table"]["data"]) == (total - 10 * (pages - 1) if total else 0)


def test_overview_cards_drill_down_to_the_rules_page(snap, app):
    import sys
    cards = views.headline_cards(views.headline(snap, Q3, "zh"), Q3, "zh")
    hrefs = [c.href for c in cards.children[0].children]
    assert hrefs[0] == "/rules" and "/rules?family=upload" in hrefs
    rules_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/rules")]
    with app.server.app_context():
        layout = rules_page.layout(family="archiving")
    found = [c for c in _walk(layout) if getattr(c, "id", None) == "ru-family"]
    # the value comes with its options: Dash 4's dropdown drops a value that is not among them
    assert found[0].value == "archiving" and "archiving" in [o["value"] for o in found[0].options]


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


# --- language, other pages -------------------------------------------------------------------

def test_language_switch_relabels_the_layout(app):
    outputs = ([{"id": "app-title", "property": "children"}]
                + [{"id": f"nav-{n}", "property": "children"} for n, _, _ in pages()]
                + [{"id": i, "property": p} for i, p in (("period-type-label", "children"), ("period-label", "children"),
                                                        ("unit-label", "children"), ("unit", "placeholder"),
                                                        ("profile-label", "children"), ("profile", "placeholder"),
                                                        ("profile", "options"), ("period-type", "options"),
                                                        ("unit", "options"), ("unmask", "options"),
                                                        ("scope", "children"), ("period", "labels"),
                                                        ("unit", "labels"), ("profile", "labels"))])
    spec = ".." + "...".join(f"{o['id']}.{o['property']}" for o in outputs) + ".."  # as the browser sends it
    resp = call(app, spec, outputs, [{"id": "lang", "property": "value", "value": "en"}])
    assert resp["app-title"]["children"] == "Whole-process recording oversight"
    assert resp["nav-units"]["children"] == "Units"
    assert resp["unit"]["placeholder"] == "All units"
    assert resp["unit"]["options"][0]["label"].endswith("subordinate units)")
    assert resp["scope"]["children"] == "Showing: All units"
    assert resp["unit"]["labels"]["search"] == "Search"
    resp_zh = call(app, spec, outputs, [{"id": "lang", "property": "value", "value": "zh"}])
    # Dash's own words in Chinese too: its dropdowns say 搜索, not Search
    assert resp_zh["unit"]["labels"]["search"] == "搜索" and resp_zh["period"]["labels"]["no_options_found"] == "没有匹配的选项"
    resp = call(app, "..filters.data...notice.children..",
                [{"id": "filters", "property": "data"}, {"id": "notice", "property": "children"}],
                [{"id": "lang", "property": "value", "value": "en"},
                 {"id": "period-type", "property": "value", "value": "month"},
                 {"id": "period", "property": "value", "value": "2025-07"},
                 {"id": "unit", "property": "value", "value": None},
                 {"id": "profile", "property": "value", "value": "hebei"},
                 {"id": "unmask", "property": "value", "value": []}])
    assert resp["filters"]["data"] == {"lang": "en", "period_type": "month", "period": "2025-07", "unit_id": None,
                                       "profile_id": "hebei", "unmask": False}


def test_english_labels_on_the_pages(snap):
    text = json.dumps([c.to_plotly_json() for c in views.overview(snap, Q3, "en")], default=str, ensure_ascii=False)
    assert "Headline compliance rates (Q3 2025 against Q2 2025)" in text and "Overall" in text and "总体" not in text
    fig = views.violations_by_rule_figure(snap, Q3, "en")
    assert fig.layout.title.text == "Violations by rule (Q3 2025)"
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in y) for y in fig.data[0].y)


def test_overview_callback_renders_through_the_server(app):
    resp = call(app, "ov-content.children", {"id": "ov-content", "property": "children"},
                [{"id": "filters", "property": "data", "value": {**Q3, "lang": "zh"}}])
    assert "主要合规率（2025年第三季度，对比 2025年第二季度）" in json.dumps(resp, ensure_ascii=False)


def test_retention_devices_and_quality_pages(snap, sql, child_unit):
    status = retention.retention_status(snap, {"unit_id": child_unit})
    warehouse = duckdb.connect(str(snap.with_name("wh.duckdb")), read_only=True)
    try:  # the facts stay in the warehouse; the snapshot has their count per unit and status
        assert dict(zip(status["status"], status["recordings"])) == dict(warehouse.execute(
            "select status, count(*) from fct_media_retention where unit_id = ? group by 1", [child_unit]).fetchall())
        due = retention.retention_due(snap, {})
        assert [tuple(r) for r in due[["unit_name", "recordings", "first_due"]].itertuples(index=False)] == \
            warehouse.execute("""
                select u.unit_name, count(*), min(m.retain_until) from fct_media_retention m join int_units u using (unit_id)
                where m.deleted_at is null and m.retain_until > timestamp '2026-01-01'
                  and m.retain_until <= timestamp '2026-01-31' group by all order by 2 desc, 1""").fetchall()
        assert len(due) > 0
    finally:
        warehouse.close()
    dev = devices.device_summary(snap, Q3)
    assert dev["faults"].sum() == sql("select sum(faults) from fct_device_days where day >= '2025-07-01' "
                                      "and day < '2025-10-01'")[0][0]
    lost = sql("""select count(*) from fct_violations where rule_id = 'R-UPL-LOST' and occurred_at >= '2025-07-01'
                  and occurred_at < '2025-10-01' and unit_id in (select unit_id from fct_device_days)""")[0][0]
    assert dev["files_lost"].sum() == lost
    reasons = quality.quarantine_reasons(snap)
    assert reasons["rows"].sum() == sql("select count(*) from (select unnest(reason_codes) from quarantine)")[0][0] \
        or len(reasons) == 100
    for page in (views.retention, views.devices, views.quality):
        for lang in ("zh", "en"):
            assert page(snap, Q3, lang)
    # rules.md §5 R-DOC: what could not be judged (receipts of the older-format export, without the
    # witness column) is counted apart, in the period and scope chosen
    year = {"period_type": "year", "period": "2025", "unit_id": None}
    unjudged = quality.not_judged(snap, year)
    assert unjudged.to_dict("records") == [
        {"rule_id": "R-DOC", "rule_name": "文字记录完整", "reason": "witness_not_stated",
         "things": sql("select sum(not_judged) from mart_unit_rule_period_not_judged "
                       "where period_type = 'year' and period = '2025'")[0][0]}]
    assert unjudged["things"][0] > 0
    page = str(views.quality(snap, year, "zh"))
    assert "未载明见证人是否签名" in page and "文字记录完整" in page and "R-DOC" not in page
    # a quarantine reason in words, the column by its name
    assert views.reason_words("bad_enum:case_type", "cases", "zh") == "未知取值：执法类别"
    assert views.reason_words("bad_enum:case_type", "cases", "en") == "unknown value: case type"


def test_periods_are_the_snapshot_s(snap):
    """A period's bounds and the one before it are dim_periods' rows, not worked out by the dashboard."""
    assert dims.period(snap, {"period_type": "quarter", "period": "2025Q1"}).previous == "2024Q4"
    assert dims.period(snap, {"period_type": "month", "period": "2025-01"}).previous == "2024-12"
    q4 = dims.period(snap, {"period_type": "quarter", "period": "2025Q4"})
    assert (q4.start, q4.end) == (dt.datetime(2025, 10, 1), dt.datetime(2026, 1, 1))
    assert dims.period(snap, {"period_type": "month", "period": "2025-12"}).end == dt.datetime(2026, 1, 1)


def test_a_period_the_snapshot_does_not_have_shows_nothing(snap):
    """A period written right that is not in dim_periods is no error: every page shows it empty."""
    for period_type, period in (("year", "2019"), ("quarter", "2031Q2"), ("month", "1999-12")):
        f = {"period_type": period_type, "period": period, "unit_id": None}
        assert dims.period(snap, f) == dims.Period()
        assert overview.violations_by_rule(snap, f).empty and overview.score_trend(snap, f).empty
        assert overview.family_rates(snap, f)["judged"].isna().all()
        assert scorecard.scorecard(snap, f).empty and devices.device_summary(snap, f).empty
        assert views.violation_rows(snap, f, "zh", None)[:2] == ([], 0)
        assert list(views.export_frames(snap, f, "zh", None)) == []
        for page in (views.overview, views.devices, views.retention, views.quality):
            assert page(snap, f, "en")
        assert views.scorecard_records(snap, f, "zh")[0] == []


def test_a_replaced_snapshot_is_reopened(snap, tmp_path):
    import shutil
    copy = tmp_path / "s.published.duckdb"
    shutil.copy(snap, copy)
    before = overview.violations_by_rule(copy, Q3)["violations"].sum()
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute(f"attach '{copy}' as src (read_only)")
    for (name,) in con.execute("select table_name from information_schema.tables where table_catalog = 'src'").fetchall():
        con.execute(f"create table {name} as select * from src.{name}")
    con.execute("delete from fct_violations where rule_id = 'R-UPL'")
    con.close()
    import os
    os.replace(other, copy)
    after = overview.violations_by_rule(copy, Q3)["violations"].sum()
    assert after < before


def test_results_are_reused_but_never_shared(snap):
    first = scorecard.scorecard(snap, Q3)
    first["score"] = -1.0  # views change their frames in place
    again = scorecard.scorecard(snap, Q3)
    assert (again["score"] != -1.0).all()
    assert any(key[1:] and "mart_unit_period_scorecard" in key[1] for key in dashboards.query._RESULTS)


def test_a_unit_name_s_markup_is_shown_in_charts_not_obeyed(snap, monkeypatch):
    """Second hostile review: Plotly reads a little HTML in labels and legends, so a unit named
    <a href=…> became a live link on the overview. Markup is written as entities, shown as typed."""
    name = '<a href="https://evil.example/login">请重新登录</a>&<b>'
    assert views.plot_text(name) == '&lt;a href="https://evil.example/login"&gt;请重新登录&lt;/a&gt;&amp;&lt;b&gt;'
    frame = scorecard.scorecard(snap, YEAR).head(1).assign(unit_name=name)
    monkeypatch.setattr(scorecard, "scorecard", lambda *a, **k: frame)
    assert list(views.scorecard_figure(snap, YEAR, "zh").data[0].hovertext) == [views.plot_text(name)]
    trend = overview.score_trend(snap, YEAR).assign(unit_name=name)
    monkeypatch.setattr(overview, "score_trend", lambda *a, **k: trend)
    assert {tr["name"] for tr in views.score_trend_figure(snap, YEAR, "zh")["data"]} == {views.plot_text(name)}


def _periods_snapshot(path, as_of_end_at: str, frozen: dict[str, bool]):
    """A snapshot holding only what the choice of the first period reads: the years' scorecard rows
    (frozen or not), their bounds and the run's as-of."""
    con = duckdb.connect(str(path))
    con.execute("create table dim_periods (period_type varchar, period varchar, period_start date, period_end date, "
                "label_zh varchar, label_en varchar)")
    con.execute("create table mart_unit_period_scorecard (unit_id varchar, period_type varchar, period varchar, "
                "is_frozen boolean)")
    con.execute("create table mart_run (as_of_end_at timestamp)")
    for year, is_frozen in frozen.items():
        y = int(year)
        con.execute("insert into dim_periods values ('year', ?, ?, ?, ?, ?)",
                    [year, dt.date(y, 1, 1), dt.date(y + 1, 1, 1), f"{y}年度", year])
        con.execute("insert into mart_unit_period_scorecard values ('U1', 'year', ?, ?), ('U2', 'year', ?, ?)",
                    [year, is_frozen, year, is_frozen])
    con.execute("insert into mart_run values (?)", [as_of_end_at])
    con.close()
    return path


@pytest.mark.parametrize("as_of_end_at, frozen, first", [
    # 2 January: 2026 holds a day of data and 2025 has not frozen (rules.md §8: 15 grace days)
    ("2026-01-03 00:00:00", {"2025": False, "2026": False}, "2025"),
    # 17 January: 2025's appraisal has frozen, the new year is what is being watched
    ("2026-01-18 00:00:00", {"2025": True, "2026": False}, "2026"),
    # the demo's run, as of 31 December: the year is over but still the latest
    ("2026-01-01 00:00:00", {"2025": False}, "2025"),
])
def test_the_period_shown_first_is_the_one_an_official_reads(tmp_path, as_of_end_at, frozen, first):
    snap = _periods_snapshot(tmp_path / "p.published.duckdb", as_of_end_at, frozen)
    assert dims.default_period(snap, "year") == first
    assert views.resolve(snap, {"period_type": "year", "period": None})["period"] == first


def test_the_period_filter_names_periods_in_words(snap):
    from dashboards.app import period_options
    assert period_options(snap, "quarter", "zh")[0] == {"label": "2025年第四季度", "value": "2025Q4"}
    assert period_options(snap, "quarter", "en")[0] == {"label": "Q4 2025", "value": "2025Q4"}
    assert period_options(snap, "month", "zh")[0]["label"] == "2025年12月"


def test_the_page_says_when_the_snapshot_changed_under_it(snap, tmp_path):
    """Issue #25 item 8: a page drawn from one snapshot says so once a run has published another
    (数据已更新于 …), and always says what its data is as of."""
    import os
    import shutil

    from dashboards.app import freshness
    from dashboards.query import snapshot_version

    copy = tmp_path / "s.published.duckdb"
    shutil.copy(snap, copy)
    seen = snapshot_version(copy)
    data, changed = freshness(copy, seen, "zh")
    assert data.startswith("数据截至 2025-12-31（发布于 ") and changed == ""
    later = int(seen) + 60 * 10**9
    os.utime(copy, ns=(later, later))  # a publish a minute later swaps a file in
    data, changed = freshness(copy, seen, "zh")
    published = dt.datetime.fromtimestamp(later / 1e9).strftime("%Y-%m-%d %H:%M")
    assert changed.startswith(f"数据已更新于 {published}") and "刷新页面" in changed
    assert freshness(copy, None, "en")[1] == "" and freshness(copy, seen, "en")[1].startswith("The data was updated")


def test_the_rules_page_opens_on_every_family_and_says_why_a_view_is_empty(snap, sql, app):
    """Issue #25 item 6: the page opens on all families; a column no rule of the view fills is left
    out; an empty view says why (a unit outside the chosen profile, a family that is only an
    indicator under the units' regulations, or nothing found); rules by name, not by code."""
    import sys
    rules_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/rules")]
    with app.server.app_context():
        layout = rules_page.layout()
    assert next(c for c in _walk(layout) if getattr(c, "id", None) == "ru-family").value is None
    # the columns the upload rules fill, and only those
    filled = {c for c in ("case_id", "act_id", "media_id", "device_id", "officer_id") if sql(
        f"select count({c}) from mart_findings where family = 'upload' and occurred_at >= '2025-01-01' "
        "and occurred_at < '2026-01-01'")[0][0]}
    ids = [c["id"] for c in views.view_columns(snap, YEAR, "zh", "upload", None, 1)]
    assert {"case_id", "act_id", "media_id", "device_id", "officer_id"} & set(ids) == filled
    assert "media_id" in ids and ids[0] == "rule"
    rows, _, _ = views.violation_rows(snap, YEAR, "zh", "upload", 0, 5)
    names = {n for (n,) in sql("select name_zh from dim_rules where family = 'upload'")}
    assert rows and all(r["rule"] in names for r in rows)  # no R-UPL before the name
    # why empty
    hebei_unit = sql("""select unit_id from dim_units u where profile_id = 'hebei' and not exists
                        (select 1 from dim_units c where c.parent_unit_id = u.unit_id) order by unit_id limit 1""")[0][0]
    other = sql("select profile_id from dim_units where profile_id <> 'hebei' limit 1")[0][0]
    assert views.empty_reason(snap, {**YEAR, "unit_id": hebei_unit, "profile_id": other}, "zh", None).startswith(
        "所选单位不适用所选适用规则")
    indicator = sql("select profile_id, family from dim_profile_family_weights where weight = 0 "
                    "and profile_id in (select profile_id from dim_units) order by all limit 1")[0]
    assert "只作指标" in views.empty_reason(snap, {**YEAR, "profile_id": indicator[0]}, "zh", indicator[1])
    assert views.empty_reason(snap, YEAR, "en", "upload").startswith("No violations of this kind")


def test_the_units_table_downloads_as_shown_and_safe_to_open(app, snap, sql, monkeypatch):
    """Issue #25 item 5: the units page's table as CSV and Excel, the rows and words the page shows;
    a unit named like a formula stays text (core.output)."""
    from urllib.parse import urlsplit
    client = app.server.test_client()
    href = views.scorecard_export_href("csv", {**Q3, "lang": "zh"})
    resp = client.get(href)
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(resp.data), encoding="utf-8-sig", dtype={"单位编码": str})
    want = sql("select unit_id, score from mart_unit_period_scorecard where period_type = 'quarter' "
               "and period = '2025Q3' order by score desc, unit_id")
    assert list(frame["单位编码"]) == [u for u, _ in want] and list(frame.columns[:3]) == ["名次", "单位", "得分"]
    xlsx = client.get(views.scorecard_export_href("xlsx", {**Q3, "lang": "en"}))
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert [c.value for c in wb.worksheets[0][1]][:3] == ["Place", "Unit", "Score"]
    assert wb.worksheets[0].max_row == len(want) + 1
    hostile = scorecard.scorecard(snap, Q3).assign(unit_name="=HYPERLINK(\"http://x\",\"y\")")
    monkeypatch.setattr(scorecard, "scorecard", lambda *a, **k: hostile.copy())
    shown = pd.read_csv(io.StringIO("".join(views.scorecard_export(snap, "csv", Q3, "zh"))))
    assert shown["单位"].str.startswith("'=HYPERLINK").all()  # text, never a live formula
    assert urlsplit(href).path == "/export/scorecard.csv"
