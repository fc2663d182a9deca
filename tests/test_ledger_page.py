"""The spot-check ledger page 抽查台账 (dashboards/ledger.py, pages/ledger.py), the case page's
review, the rectification warnings and the units page's 案卷评查合格率, on a generated year whose
ledger reviewers have returned (tests/reviewkit.py: longjiang 第二十二条 检查台账, hebei 第三十条
案卷评查): view functions against SQL on the marts, callbacks and downloads through Dash's test
client (no browser; the browser test is tests/test_browser_ledger.py)."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from reviewkit import reviewed

from dashboards import access, case, ledger, views
from dashboards.app import create_app, pages
from dashboards.queries import ledger as ledger_queries, warnings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:dash.development.base_component")

YEAR = {"period_type": "year", "period": "2025", "unit_id": None}
Q3 = {"period_type": "quarter", "period": "2025Q3", "unit_id": None}
AUGUST = {"period_type": "month", "period": "2025-08", "unit_id": None}
# a rule id or a snake_case code where words should stand (tests/test_browser.py scans the screen so)
SCREEN_CODE = re.compile(r"\bR-[A-Z]{2,}\b|(?<![\w\-（(])[a-z]+(?:_[a-z]+)+(?![\w.-])")


@pytest.fixture(scope="module")
def snap(samples):
    return reviewed(samples, 11)


@pytest.fixture(scope="module")
def sql(snap):
    con = duckdb.connect(str(snap), read_only=True)
    yield lambda q, *p: con.execute(q, list(p)).fetchall()
    con.close()


@pytest.fixture(scope="module")
def app(snap):
    return create_app(snap)


def call(app, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]]):
    """Fire one callback as the browser would, through the Flask test client."""
    client = app.server.test_client()
    client.get("/")
    outs = [{"id": i, "property": p} for i, p in outputs]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..", "outputs": outs,
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs], "state": [],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:500]
    return resp.get_json()["response"]


def shown_codes(records: list[dict]) -> list[str]:
    """Codes standing where words should, in what the rows show: their values, a link by its text
    (the row's rectification code is kept for the colours, unshown)."""
    values = [re.sub(r"\]\(.*\)$", "]", v) if isinstance(v, str) else str(v)
              for r in records for k, v in r.items() if k != "rectification_code" and v is not None]
    return SCREEN_CODE.findall(" ".join(values))


def case_of(link: str) -> str:
    """The case id a markdown link (views.case_link) opens."""
    return parse_qs(urlsplit(re.search(r"\]\((.*)\)$", link).group(1)).query)["case_id"][0]


def test_the_page_is_in_the_menu_after_the_rules(app):
    assert [path for _, path, _ in pages()][4:6] == ["/rules", "/ledger"]
    client = app.server.test_client()
    assert client.get("/ledger").status_code == 200
    deps = " ".join(d["output"] for d in client.get("/_dash-dependencies").get_json())
    assert "lg-units.data" in deps and "lg-cases.data" in deps


def test_each_unit_s_counts_are_the_mart_s_and_their_sum_is_under_them(snap, sql):
    records = ledger.unit_records(snap, YEAR, "zh")
    want = sql("""select s.unit_id, s.drawn, s.reviewed, s.passed, s.basically_passed, s.failed, s.pass_rate,
                         s.rectifications, s.rectified_on_time, s.rectified_late, s.rectifying, s.rectification_overdue
                  from mart_unit_period_spot_checks s join dim_units u using (unit_id)
                  where s.period_type = 'year' and s.period = '2025' order by u.tree_order""")
    units, total = records[:-1], records[-1]
    keys = ("unit_id", "drawn", "reviewed", "passed", "basically_passed", "failed", "pass_rate", "rectifications",
            "rectified_on_time", "rectified_late", "rectifying", "rectification_overdue")
    assert [tuple(r[k] for k in keys) for r in units] == want
    assert sum(r["rectification_overdue"] for r in units) > 0, "the sample has an overdue rectification"
    assert total["unit_id"] is None and total["unit_name"] == f"合计（{len(units)} 个单位）"
    for k in keys[1:6] + keys[7:]:
        assert total[k] == sum(r[k] for r in units), k
    # the sum's rate is over every reviewed case, not an average of the units' rates
    assert total["pass_rate"] == round((total["passed"] + total["basically_passed"]) / total["reviewed"], 4)
    names = {c["id"]: c["name"] for c in ledger.unit_columns("zh")}
    assert names["pass_rate"] == "案卷评查合格率" and names["rectification_overdue"] == "逾期未整改"
    styles = ledger.unit_styles()
    assert styles[0]["if"] == {"filter_query": "{rectification_overdue} > 0", "column_id": "rectification_overdue"}
    assert styles[0]["color"] == "#c62828"


def test_a_month_shows_its_quarter_s_ledger_and_says_so(snap, sql):
    title, notes = ledger.period_text(snap, AUGUST, "zh")
    assert title == "抽查台账：2025年第三季度"
    assert notes[0] == "所选期间为2025年8月：抽查按季度和年度抽取，此处为其所在季度的台账。"
    assert "随机种子 2025" in notes[1] and notes[2] == "案卷评查合格率是指标，不计入得分。"
    assert ledger.period_text(snap, Q3, "zh") == (title, notes[1:])  # a quarter needs no such word
    month = [case_of(r["case_id"]) for r in ledger.case_records(snap, AUGUST, "zh")]
    assert month == [c for c, in sql("""select l.case_id from mart_spot_check_ledger l join dim_units u using (unit_id)
                                        where period = '2025Q3' order by u.tree_order, draw_rank""")]
    title_en, notes_en = ledger.period_text(snap, AUGUST, "en")
    assert title_en == "Spot-check ledger: Q3 2025" and notes_en[0].startswith("The chosen period is August 2025")


def test_the_drawn_cases_are_the_ledger_s_in_words(snap, sql):
    want = sql("""select l.case_id, l.draw_rank, l.closed_cases, l.review_status, l.problems, l.reviewer,
                         l.reviewed_at, l.rectify_due_at, l.rectified_at, l.rectification_status
                  from mart_spot_check_ledger l join dim_units u using (unit_id)
                  where period_type = 'year' and period = '2025' order by u.tree_order, l.draw_rank""")
    records = ledger.case_records(snap, YEAR, "zh")
    assert [case_of(r["case_id"]) for r in records] == [w[0] for w in want]
    words = {"not_reviewed": "未评查", "passed": "合格", "basically_passed": "基本合格", "failed": "不合格"}
    fixes = {None: None, "not_required": "无需整改", "pending": "整改中", "overdue": "逾期未整改",
             "on_time": "按期完成整改", "late": "逾期完成整改"}
    for r, (_, rank, closed, review, problems, reviewer, reviewed_at, due, done, fix) in zip(records, want):
        assert r["draw"] == f"{rank} / {closed}" and r["review_status"] == words[review]
        assert (r["problems"], r["reviewer"]) == (problems, reviewer)
        assert r["reviewed_at"] == (reviewed_at.strftime("%Y-%m-%d") if reviewed_at else None)
        # the deadline is the day the reviewer set (due at its end)
        assert r["rectify_by"] == (f"{(due - pd.Timedelta(days=1)):%Y-%m-%d}" if due else None)
        assert r["rectified_at"] == (done.strftime("%Y-%m-%d") if done else None)
        assert r["rectification"] == fixes[fix] and r["rectification_code"] == fix
        assert not {"party_name", "party"} & set(r)  # the case id only
    assert {w[9] for w in want} >= {"overdue", "pending", "not_required", None}
    for lang in ("zh", "en"):
        assert not shown_codes(ledger.case_records(snap, YEAR, lang)), lang
        assert not shown_codes(ledger.unit_records(snap, YEAR, lang)), lang
    assert {r["review_status"] for r in ledger.case_records(snap, YEAR, "en")} <= {
        "not reviewed", "passed", "basically passed", "failed"}


def test_the_list_is_filtered_by_review_and_rectification_status(snap, sql):
    for review, fix in (("failed", None), (None, "overdue"), ("basically_passed", "not_required"),
                        ("not_reviewed", None)):
        got = [case_of(r["case_id"]) for r in ledger.case_records(snap, YEAR, "zh", review, fix)]
        want = [c for c, in sql("""select l.case_id from mart_spot_check_ledger l join dim_units u using (unit_id)
                                   where period_type = 'year' and period = '2025'
                                     and (? is null or review_status = ?) and (? is null or rectification_status = ?)
                                   order by u.tree_order, l.draw_rank""", review, review, fix, fix)]
        assert got == want and got, (review, fix)
    assert ledger.case_records(snap, YEAR, "zh", "passed", "overdue") == []
    assert ledger.cases_total(0, "zh", filtered=True) == "没有符合所选评查结论和整改情况的案件。"
    for bad in ("nope", ["failed"], "red"):
        with pytest.raises(access.BadParameter):
            ledger_queries.cases(snap, YEAR, bad)
        with pytest.raises(access.BadParameter):
            ledger_queries.cases(snap, YEAR, None, bad)
    reviews, fixes = ledger.status_options("en")
    assert [o["label"] for o in reviews] == ["not reviewed", "passed", "basically passed", "failed"]
    assert [o["value"] for o in fixes] == ["overdue", "pending", "late", "on_time", "not_required"]


def test_a_unit_sees_its_own_ledger_and_those_below(snap, sql, monkeypatch):
    parent, child = sql("""select u.parent_unit_id, u.unit_id from dim_units u
                           where u.parent_unit_id is not null order by u.tree_order limit 1""")[0]
    below = {u for u, in sql("select unit_id from dim_unit_descendants where ancestor_unit_id = ?", child)}
    rows = ledger.unit_records(snap, {**YEAR, "unit_id": child}, "zh")
    assert {r["unit_id"] for r in rows} - {None} <= below and rows
    assert len(ledger.unit_records(snap, {**YEAR, "unit_id": parent}, "zh")) > len(rows)
    # a user bound to the child unit: its ledger only, whatever the filters ask
    monkeypatch.setattr("dashboards.access.bound", lambda: child)
    assert {case_of(r["case_id"]) for r in ledger.case_records(snap, YEAR, "zh")} == {
        c for c, in sql("select case_id from mart_spot_check_ledger where period = '2025' and unit_id in "
                        "(select unit_id from dim_unit_descendants where ancestor_unit_id = ?)", child)}


def test_the_callbacks_render_through_the_server(app, snap):
    resp = call(app, [("lg-title", "children"), ("lg-notes", "children"), ("lg-units", "data"),
                      ("lg-units", "columns"), ("lg-units", "style_data_conditional")],
                [("filters", "data", {**Q3, "lang": "en"})])
    assert resp["lg-title"]["children"] == "Spot-check ledger: Q3 2025"
    assert resp["lg-units"]["data"] == json.loads(json.dumps(ledger.unit_records(snap, Q3, "en")))
    resp = call(app, [("lg-cases", "data"), ("lg-cases", "columns"), ("lg-cases", "page_current"),
                      ("lg-total", "children")],
                [("filters", "data", {**YEAR, "lang": "zh"}), ("lg-review", "value", None),
                 ("lg-rectification", "value", "overdue")])
    rows = resp["lg-cases"]["data"]
    assert rows and {r["rectification"] for r in rows} == {"逾期未整改"}
    assert resp["lg-total"]["children"].startswith(f"共 {len(rows)} 件")
    headers = [c["name"] for c in resp["lg-cases"]["columns"]]
    assert headers[:5] == ["单位", "抽取顺序", "案件编号", "执法类别", "办结时间"]
    assert next(c for c in resp["lg-cases"]["columns"] if c["id"] == "case_id")["presentation"] == "markdown"
    # a crafted status is refused in words above the page, not a 500
    client = app.server.test_client()
    client.get("/")
    body = {"output": "..lg-cases.data...lg-cases.columns...lg-cases.page_current...lg-total.children..",
            "outputs": [{"id": "lg-cases", "property": p} for p in ("data", "columns", "page_current")]
            + [{"id": "lg-total", "property": "children"}],
            "inputs": [{"id": "filters", "property": "data", "value": YEAR},
                       {"id": "lg-review", "property": "value", "value": "drop table"},
                       {"id": "lg-rectification", "property": "value", "value": None}],
            "state": [], "changedPropIds": ["lg-review.value"]}
    refused = client.post("/_dash-update-component", json=body)
    assert refused.status_code in (200, 204) and "lg-cases" not in (refused.get_json(silent=True) or {}).get(
        "response", {})


def test_the_list_downloads_as_shown_and_safe_to_open(app, snap, sql, monkeypatch):
    client = app.server.test_client()
    client.get("/")
    href = ledger.export_href("csv", {**YEAR, "lang": "zh"}, None, "overdue")
    assert urlsplit(href).path == "/export/ledger.csv"
    resp = client.get(href)
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(resp.data), encoding="utf-8-sig", dtype=str)
    overdue = [c for c, in sql("""select l.case_id from mart_spot_check_ledger l join dim_units u using (unit_id)
                                  where period = '2025' and rectification_status = 'overdue'
                                  order by u.tree_order, l.draw_rank""")]
    assert list(frame["案件编号"]) == overdue and set(frame["整改情况"]) == {"逾期未整改"}
    assert list(frame.columns) == [t for t in (c["name"] for c in ledger.case_columns("zh"))]
    xlsx = client.get(ledger.export_href("xlsx", {**AUGUST, "lang": "en"}, "failed", None))
    wb = load_workbook(io.BytesIO(xlsx.data))
    sheet, notes = wb.worksheets
    assert sheet.title == "Spot-check ledger" and [c.value for c in sheet[1]][:3] == ["Unit", "Draw", "Case"]
    assert sheet.max_row - 1 == sql("select count(*) from mart_spot_check_ledger where period = '2025Q3' "
                                    "and review_status = 'failed'")[0][0]
    said = {r[0].value: r[1].value for r in notes.iter_rows() if len(r) > 1}
    assert said["Ledger"] == "Q3 2025" and said["Period"] == "August 2025" and said["Conclusion"] == "failed"
    assert said["Seed"] == 2025 and said["Cases drawn per unit"] == 5
    assert client.get(ledger.export_href("csv", YEAR, "nope", None)).status_code == 400
    assert client.get("/export/ledger.pdf").status_code == 400
    # a reviewer's text that a spreadsheet would run stays text (core.output.safe_text)
    hostile = ledger_queries.cases(snap, YEAR).assign(problems="=HYPERLINK(\"http://x\",\"y\")", reviewer="@SUM(A1)")
    monkeypatch.setattr(ledger_queries, "cases", lambda *a, **k: hostile.copy())
    shown = pd.read_csv(io.StringIO("".join(ledger.export(snap, "csv", YEAR, "zh"))))
    assert shown["存在问题"].str.startswith("'=HYPERLINK").all() and shown["评查人"].str.startswith("'@").all()
    body, _, _ = ledger.export(snap, "xlsx", YEAR, "zh")
    cells = [c.value for c in load_workbook(io.BytesIO(body)).worksheets[0]["G"]]
    assert all(v.startswith("'=") for v in cells[1:])


def test_a_scoped_server_downloads_only_its_units(snap, sql):
    mine, other = [u for u, in sql("""select unit_id from mart_unit_period_spot_checks join dim_units u using (unit_id)
                                      where period = '2025' and u.parent_unit_id is not null
                                      order by u.tree_order limit 2""")]
    client = create_app(snap, scope=mine).server.test_client()
    client.get("/")
    body = client.get(ledger.export_href("csv", {**YEAR, "lang": "en"}, None, None)).data
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")
    assert set(frame["Unit"]) == {sql("select unit_name from dim_units where unit_id = ?", mine)[0][0]}
    refused = client.get(ledger.export_href("csv", {**YEAR, "unit_id": other}, None, None))
    assert refused.status_code == 403


def test_the_case_page_shows_the_review_where_the_case_was_drawn(snap, sql):
    overdue, due, problems = sql("""select case_id, rectify_due_at, problems from mart_spot_check_ledger
                                    where period = '2025' and rectification_status = 'overdue'
                                    order by case_id limit 1""")[0]
    ledgers = sql("select count(*) from mart_spot_check_ledger where case_id = ?", overdue)[0][0]
    for lang, words in (("zh", ("逾期未整改", "案卷评查：本案在抽查中被抽取", "2025年度")),
                        ("en", ("overdue, not done", "Case-file review: this case was drawn", "2025"))):
        page = case.case_view(snap, overdue, {"lang": lang}, lang)
        table = next(c for c in page if getattr(c, "id", None) == "cs-review")
        assert len(table.data) == ledgers
        year = next(r for r in table.data if r["ledger"] == words[2])
        assert year["rectification"] == words[0] and year["problems"] == problems
        assert year["rectify_by"] == f"{(due - pd.Timedelta(days=1)):%Y-%m-%d}"
        assert words[1] in str(page)
        assert not shown_codes(table.data)
    # a case no ledger drew has no review to show
    undrawn = sql("select case_id from dim_cases where case_id not in (select case_id from mart_spot_check_ledger) "
                  "order by case_id limit 1")[0][0]
    assert "cs-review" not in str(case.case_view(snap, undrawn, {}, "zh"))


def test_an_overdue_rectification_is_a_red_compliance_warning_in_words(snap, sql):
    want = dict(((u, lv), n) for u, lv, n in sql("""select unit_id, level, count(*) from mart_warnings
                                                    where kind = 'rectification' group by all"""))
    assert any(lv == "red" for _, lv in want), "the sample has an overdue rectification"
    rows, _, _ = views.warning_counts(snap, YEAR, "zh", "compliance", kind="rectification")
    assert {(r["unit_id"], lv): r[lv] for r in rows for lv in ("red", "yellow") if r[lv]} == want
    assert {r["kind"] for r in rows} == {"案卷评查整改"}
    assert "rectification" in [o["value"] for o in views.warning_kind_options("compliance", "zh")]
    assert views.warning_lists("zh")[0]["label"] == "合规预警（入库、归档、紧急启动补批、案卷评查整改）"
    unit = rows[0]["unit_id"]
    for lang, said in (("zh", "案卷评查发现的问题应于"), ("en", "case-file review found is to be put right by")):
        records, total, _ = views.warning_rows(snap, YEAR, lang, "compliance", None, "rectification", unit)
        assert total == sum(n for (u, _), n in want.items() if u == unit)
        assert all(said in r["detail"] and r["case_id"].startswith("[") for r in records)
        assert not shown_codes(records)
    # what is due, by the day the reviewer set (due at its end)
    frame, _ = warnings.rows_page(snap, YEAR, "zh", "compliance", kind="rectification", page_size=1000)
    assert len(frame) == sum(want.values())
    for case_id, due, detail in zip(frame["case_id"], frame["due_at"], frame["detail"]):
        assert detail == f"案件{case_id} 案卷评查发现的问题应于 {due - pd.Timedelta(days=1):%Y年%-m月%-d日} 前整改完毕"


def test_the_units_table_shows_the_pass_rate_beside_the_score(snap, sql, monkeypatch):
    rows, columns = views.scorecard_records(snap, Q3, "zh")
    want = dict(sql("select unit_id, review_pass_rate from mart_unit_period_scorecard "
                    "where period_type = 'quarter' and period = '2025Q3'"))
    assert {r["unit_id"]: r["review_pass_rate"] for r in rows} == {
        u: (round(100 * p, 1) if p is not None else None) for u, p in want.items()}
    ids = [c["id"] for c in columns]
    assert ids[ids.index("appraisal_score") + 1] == "review_pass_rate"
    names = {c["id"]: c["name"] for c in columns}
    assert names["review_pass_rate"] == "案卷评查合格率 %（指标）"
    month_ids = [c["id"] for c in views.scorecard_records(snap, AUGUST, "zh")[1]]
    assert "review_pass_rate" not in month_ids  # a month has no ledger of its own
    monkeypatch.setattr(ledger_queries, "run_parameters", lambda s: {"seed": 1, "per_unit": 5, "review_weight": 10.0})
    names = {c["id"]: c["name"] for c in views.scorecard_records(snap, Q3, "en")[1]}
    assert names["review_pass_rate"] == "Review pass rate % (in the score, weight 10)"
