"""The warnings page (dashboards/pages/warnings.py): its view functions against SQL on the session's
published year, and its callbacks and downloads through Dash's test client (no browser; the browser
test is tests/test_browser_warnings.py). Warnings are rules.md §8's (预警): red once the deadline has
passed, yellow within the rule's horizon; the review before disposal (§6, 到期销毁审查) is a task,
listed apart and never red."""

from __future__ import annotations

import datetime as dt
import io
import math
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_dashboard import YEAR, app, call, snap, sql  # noqa: F401

from dashboards import access, views
from dashboards.app import create_app
from dashboards.labels import t
from dashboards.queries import warnings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:dash.development.base_component")

LIST_KINDS = {"compliance": ("upload", "archive", "start_approval", "rectification"), "disposal": ("disposal_review",)}


def in_list(list_: str) -> str:
    return "kind in (%s)" % ", ".join(f"'{k}'" for k in LIST_KINDS[list_])


@pytest.fixture(scope="module")
def as_of_end(sql) -> dt.datetime:
    return sql("select as_of_end_at from mart_run")[0][0]


@pytest.mark.parametrize("list_", ["compliance", "disposal"])
def test_counts_by_unit_and_kind_are_the_mart_s_most_red_first(snap, sql, list_):
    rows, columns, said = views.warning_counts(snap, YEAR, "zh", list_)
    want = {(u, k): (r, y) for u, k, r, y in sql(f"""
        select unit_id, kind, count(*) filter (where level = 'red'), count(*) filter (where level = 'yellow')
        from mart_warnings where {in_list(list_)} group by 1, 2""")}
    assert want, "the sample has warnings of this list"
    assert {(r["unit_id"], r["kind_code"]): (r["red"], r["yellow"]) for r in rows} == want
    assert all(r["total"] == r["red"] + r["yellow"] for r in rows)
    assert [r["red"] for r in rows] == sorted((r["red"] for r in rows), reverse=True)
    red, yellow = (sum(v[i] for v in want.values()) for i in (0, 1))
    units = len({u for u, _ in want})
    assert said == (f"待审核 {yellow:,} 条，涉及 {units} 个单位：保存期即将届满，销毁前须经审核。" if list_ == "disposal"
                    else f"红色 {red:,} 条，黄色 {yellow:,} 条，涉及 {units} 个单位。")
    # kinds and levels in words, never codes
    assert {r["kind"] for r in rows} <= {"入库", "归档", "紧急启动补批", "案卷评查整改", "销毁前审核"}
    assert "red" not in {c["id"] for c in columns} if list_ == "disposal" else {"red", "yellow"} <= {
        c["id"] for c in columns}


def test_the_review_before_disposal_is_never_red(snap, sql):
    """rules.md §6: recordings whose retention ends soon are a task, not a warning: never red."""
    assert sql("select count(*) from mart_warnings where kind = 'disposal_review'")[0][0] > 0
    assert sql("select count(*) from mart_warnings where kind = 'disposal_review' and level = 'red'")[0][0] == 0
    rows, _, _ = views.warning_counts(snap, YEAR, "zh", "disposal")
    assert rows and all(r["red"] == 0 and r["kind_code"] == "disposal_review" for r in rows)
    assert [o["value"] for o in views.warning_level_options("disposal", "zh")] == ["yellow"]
    assert [o["label"] for o in views.warning_lists("en")] == [
        "Compliance warnings (upload, archiving, emergency-start approval, rectification after case-file review)",
        "Review before disposal (a task, never red)"]
    assert [o["label"] for o in views.warning_lists("zh")] == ["合规预警（入库、归档、紧急启动补批、案卷评查整改）",
                                                               "销毁前审核（待办任务，从不标红）"]
    with pytest.raises(access.BadParameter):
        warnings.checked("disposal", "red")
    # nor does a compliance warning turn up in the task list, or a task among the warnings
    records, total, _ = views.warning_rows(snap, YEAR, "en", "compliance", page_size=1000)
    assert total == sql(f"select count(*) from mart_warnings where {in_list('compliance')}")[0][0]
    assert "review before disposal" not in {r["kind"] for r in records}


def test_days_overdue_are_the_whole_days_started_as_r_arc_counts_them(snap, sql, as_of_end):
    """A red archive warning says as many days overdue as its R-ARC violation (fct_case_archiving's
    days_late: whole days started past the due time, to the end of the as-of day); every red one is
    counted the same way from its own due time, and has no time left."""
    frame, total = warnings.rows_page(snap, YEAR, "zh", "compliance", level="red", page_size=1000)
    assert total == len(frame) == sql("select count(*) from mart_warnings where level = 'red'")[0][0]
    late = dict(sql("select case_id, days_late from fct_case_archiving where status = 'overdue'"))
    archive = frame[frame["kind"] == "archive"]
    assert len(archive) == len(late) > 0
    assert dict(zip(archive["case_id"], archive["days_overdue"])) == late
    for due, days in zip(frame["due_at"], frame["days_overdue"]):
        assert days == math.ceil((as_of_end - due.to_pydatetime()).total_seconds() / 86400) and days >= 0
    assert frame["hours_left"].isna().all()


def test_yellow_ones_say_the_time_left_never_negative(snap, sql, as_of_end):
    for list_ in ("compliance", "disposal"):
        records, _, _ = views.warning_rows(snap, YEAR, "zh", list_, level="yellow", page_size=1000)
        assert records
        for r in records:
            left = dt.datetime.strptime(r["due_at"], "%Y-%m-%d %H:%M") - as_of_end
            assert left.total_seconds() > -60  # due after the end of the as-of day (to the minute shown)
            assert r["time_left"] and "-" not in r["time_left"] and r.get("days_overdue") is None
    assert views.time_left(5.46, "zh") == "5.5 小时" and views.time_left(0, "en") == "0 h"
    assert views.time_left(49.9, "zh") == "2 天 1 小时" and views.time_left(720.0, "en") == "30 d"
    assert views.time_left(None, "zh") is None


def test_a_unit_s_rows_are_paged_in_sql_most_overdue_first(snap, sql):
    rows, _, _ = views.warning_counts(snap, YEAR, "zh", "disposal")
    unit, kind = rows[0]["unit_id"], rows[0]["kind_code"]
    want = [m for m, in sql("""select media_id from mart_warnings where unit_id = ? and kind = ?
                               order by level = 'red' desc, due_at, warning_id""", unit, kind)]
    assert len(want) == rows[0]["total"] > 10
    pages = []
    for page in range(3):
        records, total, count = views.warning_rows(snap, YEAR, "zh", "disposal", None, kind, unit, page, 5)
        assert total == len(want) and count == math.ceil(len(want) / 5)
        pages += [r["media_id"] for r in records]
    assert pages == want[:15]
    assert {r["unit_name"] for r in records} == {rows[0]["unit_name"]}


def test_each_row_says_what_is_due_in_words(snap, sql):
    first = sql("select kind, media_id, case_id, due_at from mart_warnings where kind <> 'disposal_review' "
                "order by level = 'red' desc, due_at, warning_id limit 1")[0]
    zh, _, _ = views.warning_rows(snap, YEAR, "zh", "compliance", page_size=5)
    en, _, _ = views.warning_rows(snap, YEAR, "en", "compliance", page_size=5)
    # with the year: a deadline early next year is not read as this year's (hand-over issue)
    said = {"upload": f"录像{first[1]} 应于 {first[3]:%Y年%-m月%-d日 %H:%M} 前入库",
            "archive": f"案件{first[2]} 应于 {first[3]:%Y年%-m月%-d日} 前归档",
            "start_approval": f"紧急先行启动的案件{first[2]} 应于 {first[3]:%Y年%-m月%-d日 %H:%M} 前补办启动审批"}[first[0]]
    assert zh[0]["detail"] == said and zh[0]["level"] == "红色"
    assert en[0]["level"] == "red" and en[0]["detail"].startswith(("recording ", "case ", "emergency-started case "))
    disposal, _, _ = views.warning_rows(snap, YEAR, "zh", "disposal", page_size=1)
    assert disposal[0]["detail"].endswith("，处置前须复核") and "level" not in disposal[0]
    assert [c["name"] for c in views.warning_columns("disposal", "en")][:3] == ["Unit", "Recording", "Officer"]


def test_a_case_id_links_to_its_case_page_and_a_recording_is_named(snap, sql):
    records, _, _ = views.warning_rows(snap, YEAR, "zh", "compliance", kind="archive", page_size=100)
    case = sql("select case_id from mart_warnings where kind = 'archive' order by level = 'red' desc, due_at, "
               "warning_id limit 1")[0][0]
    assert records[0]["case_id"] == views.case_link(case) and records[0]["case_id"].endswith(f"](/case?case_id={case})")
    column = next(c for c in views.warning_columns("compliance", "zh") if c["id"] == "case_id")
    assert column["presentation"] == "markdown" and column["name"] == "案件编号"
    uploads, _, _ = views.warning_rows(snap, YEAR, "zh", "compliance", kind="upload", page_size=5)
    assert uploads and all(r["media_id"] and r["case_id"] == "" for r in uploads)
    # an id from an export is shown as written: it cannot close the link, nor make markup or a script
    assert views.case_link("C-1") == "[C\\-1](/case?case_id=C-1)"
    hostile = views.case_link("x](javascript:alert(1)) <b>*y*</b>")
    assert hostile == ("[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>\\*y\\*\\<\\/b\\>]"
                       "(/case?case_id=x%5D%28javascript%3Aalert%281%29%29+%3Cb%3E%2Ay%2A%3C%2Fb%3E)")
    assert views.case_link(None) == ""


def test_party_names_are_masked_unless_the_logged_switch(snap, sql, caplog):
    real = dict(sql("select case_id, party_name from dim_cases"))
    records, _, _ = views.warning_rows(snap, YEAR, "zh", "compliance", kind="archive", page_size=100)
    shown = [r["party_name"] for r in records if r["party_name"]]
    assert shown and all(s[1:] == "某某" for s in shown) and not set(shown) & set(real.values())
    caplog.set_level("WARNING", logger="recwatch.privacy")
    records, _, _ = views.warning_rows(snap, YEAR, "zh", "compliance", None, "archive", None, 0, 100, True,
                                       "inspector7@10.0.0.9")
    cases = [parse_qs(urlsplit(r["case_id"].rsplit("](", 1)[1][:-1]).query)["case_id"][0] for r in records]
    assert [r["party_name"] for r in records] == [real.get(c) for c in cases]
    logged = [r.getMessage() for r in caplog.records if r.name == "recwatch.privacy"]
    assert len(logged) == 1 and "warnings page" in logged[0] and "inspector7@10.0.0.9" in logged[0]


def test_bad_lists_levels_kinds_and_pages_are_refused(snap):
    for args in (("nope",), ("compliance", "green"), ("compliance", None, "disposal_review"),
                 ("disposal", None, "upload"), (["compliance"],)):
        with pytest.raises(access.BadParameter):
            warnings.checked(*args)
    for page, size in ((-1, 25), (0, 0), (0, 5000), ("1", 25)):
        with pytest.raises(access.BadParameter):
            warnings.rows_page(snap, YEAR, "zh", "compliance", page_current=page, page_size=size)
    with pytest.raises(access.BadParameter):
        warnings.rows_page(snap, YEAR, "zh", "compliance", unit_id=["130101"])


def download(app, fmt, filters, list_, level=None, kind=None, unit=None):
    client = app.server.test_client()
    client.get("/")
    resp = client.get(views.warning_export_href(fmt, filters, list_, level, kind, unit))
    assert resp.status_code == 200, resp.data[:300]
    return resp


def test_each_list_downloads_per_unit_as_csv_and_excel(app, snap, sql):
    rows, _, _ = views.warning_counts(snap, YEAR, "zh", "compliance")
    unit, name = rows[0]["unit_id"], rows[0]["unit_name"]
    want = sql(f"select count(*) from mart_warnings where unit_id = ? and {in_list('compliance')}", unit)[0][0]
    resp = download(app, "csv", {**YEAR, "lang": "en"}, "compliance", unit=unit)
    assert resp.headers["Content-Disposition"] == f'attachment; filename="warnings_compliance_{unit}_2025-12-31.csv"'
    frame = pd.read_csv(io.BytesIO(resp.data), encoding="utf-8-sig")
    assert len(frame) == want and set(frame["Unit"]) == {name}
    assert list(frame.columns) == ["Level", "Kind", "Unit", "Case", "Recording", "Officer", "Party", "Due",
                                   "Days overdue", "Time left", "Detail"]
    assert set(frame["Level"]) <= {"red", "yellow"} and not frame["Case"].astype(str).str.contains(r"\]\(").any()
    real = {n for n, in sql("select party_name from dim_cases where length(party_name) > 1")}
    assert not any(n in resp.data.decode("utf-8") for n in real)
    zh = download(app, "xlsx", {**YEAR, "lang": "zh"}, "disposal", unit=None)
    assert "filename*=UTF-8''" in zh.headers["Content-Disposition"] and "%E9%A2%84%E8%AD%A6" in \
        zh.headers["Content-Disposition"]  # 预警
    wb = load_workbook(io.BytesIO(zh.data))
    sheet = list(wb.worksheets[0].values)
    assert sheet[0][:2] == ("单位", "音像记录编号") and len(sheet) - 1 == sql(
        "select count(*) from mart_warnings where kind = 'disposal_review'")[0][0]
    notes = dict(r[:2] for r in wb.worksheets[1].values if len(r) > 1)
    assert notes["判定基准日"] == "2025-12-31" and notes["行数"] == len(sheet) - 1 and notes["当事人"] == "已脱敏（当事人姓名只保留首字）"
    client = app.server.test_client()
    assert client.get(views.warning_export_href("csv", YEAR, "disposal", "red", None, None)).status_code == 400
    assert client.get("/export/warnings.pdf?list=compliance").status_code == 400


def test_the_page_s_callbacks_through_the_server(app, snap, sql):
    """Counts first; a click on a count (active_cell names the row by its id) opens that unit's rows."""
    filters = {**YEAR, "lang": "zh"}
    resp = call(app, "..wa-counts.data...wa-counts.columns...wa-summary.children...wa-counts.active_cell..."
                     "wa-counts.page_current..",
                [{"id": c, "property": p} for c, p in (("wa-counts", "data"), ("wa-counts", "columns"),
                                                       ("wa-summary", "children"), ("wa-counts", "active_cell"),
                                                       ("wa-counts", "page_current"))],
                [{"id": "filters", "property": "data", "value": filters},
                 {"id": "wa-list", "property": "value", "value": "compliance"},
                 {"id": "wa-level", "property": "value", "value": "red"},
                 {"id": "wa-kind", "property": "value", "value": None}])
    counted = resp["wa-counts"]["data"]
    assert counted and all(r["yellow"] == 0 for r in counted)
    picked = call(app, "wa-drill.data", {"id": "wa-drill", "property": "data"},
                  [{"id": "wa-counts", "property": "active_cell", "value": {"row": 0, "column": 0, "row_id": 1}}],
                  [{"id": "wa-counts", "property": "data", "value": counted}])["wa-drill"]["data"]
    assert picked == {"unit_id": counted[1]["unit_id"], "kind": counted[1]["kind_code"]}
    out = call(app, "..wa-table.data...wa-table.columns...wa-table.page_count...wa-table.page_current..."
                    "wa-rows-title.children...wa-total.children...wa-unmasked.children..",
               [{"id": c, "property": p} for c, p in (("wa-table", "data"), ("wa-table", "columns"),
                                                      ("wa-table", "page_count"), ("wa-table", "page_current"),
                                                      ("wa-rows-title", "children"), ("wa-total", "children"),
                                                      ("wa-unmasked", "children"))],
               [{"id": "filters", "property": "data", "value": filters},
                {"id": "wa-list", "property": "value", "value": "compliance"},
                {"id": "wa-level", "property": "value", "value": "red"},
                {"id": "wa-drill", "property": "data", "value": picked},
                {"id": "wa-table", "property": "page_current", "value": 0},
                {"id": "wa-table", "property": "page_size", "value": 25}])
    assert len(out["wa-table"]["data"]) == min(25, counted[1]["red"])
    assert out["wa-total"]["children"].startswith(f"共 {counted[1]['red']:,} 条")
    assert out["wa-rows-title"]["children"].startswith(counted[1]["unit_name"] + "：")
    assert {r["unit_name"] for r in out["wa-table"]["data"]} == {counted[1]["unit_name"]}


def test_the_period_filter_does_not_change_the_warnings_and_the_page_says_so(snap):
    """Warnings stand as of the run (mart_run), not of a period: any period shows the same lists."""
    q1 = {"period_type": "quarter", "period": "2025Q1", "unit_id": None}
    assert views.warning_counts(snap, q1, "zh", "compliance")[0] == views.warning_counts(snap, YEAR, "zh",
                                                                                          "compliance")[0]
    assert t("wa_as_of", "zh", as_of="2025-12-31").startswith("预警是判定基准日 2025-12-31 结束时尚未完成的期限，不随期间筛选变化")


def test_a_unit_outside_the_requester_s_scope_is_refused_not_listed(snap, sql):
    """rules.md R-SEC: a server scoped to one unit counts, lists and downloads only that unit's
    warnings; a drill-down or a download naming another unit is refused (403) and logged."""
    mine, other = [u for u, in sql("""select w.unit_id from mart_warnings w join dim_units u using (unit_id)
                                       group by 1, u.parent_unit_id
                                       order by u.parent_unit_id is null, count(*) desc, 1 limit 2""")]
    scoped = create_app(snap, scope=mine)
    client = scoped.server.test_client()
    client.get("/")
    ok = client.get(views.warning_export_href("csv", YEAR, "compliance", None, None, mine))
    assert ok.status_code == 200
    refused = client.get(views.warning_export_href("csv", YEAR, "compliance", None, None, other))
    assert refused.status_code == 403 and "不在您的查看范围内" in refused.data.decode()
    # the whole list of the filters is the scope's own
    body = client.get(views.warning_export_href("csv", {**YEAR, "lang": "en"}, "compliance", None, None, None)).data
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")
    assert len(frame) == sql(f"""select count(*) from mart_warnings where {in_list('compliance')} and unit_id in (
                                     select unit_id from dim_unit_descendants where ancestor_unit_id = ?)""", mine)[0][0]
    assert set(frame["Unit"]) == set(sql("select unit_name from dim_units where unit_id = ?", mine)[0])


def test_a_recording_s_warning_opens_the_case_the_recording_was_made_in(snap, sql):
    """An upload warning names a recording, not a case: the row still links to the case the
    recording belongs to (mart_case_timeline), the party of that case masked."""
    want = dict(sql("""select w.media_id, min(t.case_id) from mart_warnings w
                       join mart_case_timeline t on t.kind = 'recording' and t.media_id = w.media_id
                       where w.kind = 'upload' and w.case_id is null group by all"""))
    frame, _ = warnings.rows_page(snap, YEAR, "zh", "compliance", kind="upload", page_size=1000)
    linked = {m: c for m, c in zip(frame["media_id"], frame["case_id"]) if m in want}
    assert linked and linked == {m: want[m] for m in linked}
    assert frame.loc[frame["media_id"].isin(list(linked)), "party_name"].notna().any()
