"""The appraisal workbook (reports/workbook.py), read back with openpyxl and reconciled with the marts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
from collections import Counter

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from core.i18n import code_label
from core.privacy import STRIPPED, mask, mask_sql
from reports import sheetrows, tables
from reports.context import find_period, parse_period
from reports.tables import FMT_DATETIME, HEADER_ROWS, Col, write_table
from reports.workbook import write_workbook

FIRST = HEADER_ROWS + 1  # first data row of every table sheet


@pytest.fixture(scope="module")
def year_zh(snapshot, tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "y.xlsx"
    summary = write_workbook(snapshot, "2025", out)
    return summary, load_workbook(out)


def table(ws, ncols: int | None = None) -> tuple[list, list[tuple]]:
    header = [c.value for c in ws[HEADER_ROWS]]
    rows = [r for r in ws.iter_rows(min_row=FIRST, values_only=True) if any(v is not None for v in r)]
    return header, rows


def cover_text(wb) -> str:
    return "\n".join(str(v) for row in wb.worksheets[0].iter_rows(values_only=True) for v in row if v is not None)


def test_sheet_names_in_chinese_and_english(snapshot, year_zh, tmp_path):
    summary, wb = year_zh
    assert wb.sheetnames[:2] == ["说明", "汇总"] and wb.sheetnames[-2:] == ["问题清单", "抽查台账"]
    assert "及时存储" in wb.sheetnames and summary["sheets"] == wb.sheetnames
    en = write_workbook(snapshot, "2025", tmp_path / "en.xlsx", lang="en")
    wb_en = load_workbook(tmp_path / "en.xlsx")
    assert wb_en.sheetnames[:2] == ["Cover", "Scorecard"] and wb_en.sheetnames[-2:] == ["Findings", "Spot-check ledger"]
    assert "Upload" in wb_en.sheetnames and len(wb_en.sheetnames) == len(wb.sheetnames) == len(en["sheets"])
    header, _ = table(wb_en["Findings"])
    assert header[:4] == ["Finding id", "Rule id", "Rule", "Severity"] and "party name" in header
    assert all(len(name) <= 31 for name in wb.sheetnames + wb_en.sheetnames)


def test_scorecard_rows_equal_the_mart(year_zh, mart):
    _, wb = year_zh
    ws = wb["汇总"]
    header, rows = table(ws)
    assert header[:2] == ["单位编码", "单位名称"] and "得分" in header and "名次(同级)" in header
    got = {r[0]: (r[header.index("得分")], r[header.index("名次(同级)")], r[header.index("同级单位数")],
                  r[header.index("及时存储合规率")]) for r in rows}
    want = {u: (s, r, n, up) for u, s, r, n, up in mart.execute(
        "select unit_id, score, rank, rank_of, upload_rate from mart_unit_period_scorecard "
        "where period_type = 'year' and period = '2025'").fetchall()}
    assert got == want and len(rows) == len(want) > 1
    rate_cell = ws.cell(row=FIRST, column=header.index("及时存储合规率") + 1)
    assert rate_cell.number_format == "0.0%" and ws.cell(row=FIRST, column=header.index("得分") + 1).number_format == "0.0"
    assert ws.freeze_panes == f"A{FIRST}" and ws.auto_filter.ref.startswith(f"A{HEADER_ROWS}")
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == f"$1:${HEADER_ROWS}"
    rules = [r.type for cf in ws.conditional_formatting for r in cf.rules]
    assert "colorScale" in rules and "expression" in rules
    assert [type(c).__name__ for c in ws._charts] == ["BarChart"]


def test_family_sheets_have_monthly_rates_and_a_line_chart(year_zh, mart):
    _, wb = year_zh
    ws = wb["及时存储"]
    header, rows = table(ws)
    assert header[2:14] == [f"2025-{m:02d}" for m in range(1, 13)] and header[14] == "期间合计"
    assert [type(c).__name__ for c in ws._charts] == ["LineChart"]
    july = {r[0]: r[2 + 6] for r in rows}
    want = dict(mart.execute("""
        select unit_id, sum(compliant) / sum(judged) from mart_unit_rule_period_rates
        where family = 'upload' and level = 'violation' and period_type = 'month' and period = '2025-07'
        group by unit_id""").fetchall())
    assert july.keys() == want.keys() and all(abs(july[u] - want[u]) < 1e-9 for u in want)
    totals = {r[0]: r[14] for r in rows}
    scores = dict(mart.execute("select unit_id, upload_rate from mart_unit_period_scorecard "
                               "where period_type = 'year' and period = '2025'").fetchall())
    assert all(abs(totals[u] - scores[u]) < 1e-9 for u in totals)


def test_findings_reconcile_with_fct_violations_by_rule(year_zh, mart):
    summary, wb = year_zh
    header, rows = table(wb["问题清单"])
    assert header[:4] == ["问题编号", "规则编号", "规则名称", "严重程度"] and "依据条款" in header
    want = dict(mart.execute("""
        select rule_id, count(*) from fct_violations
        where occurred_at >= '2025-01-01' and occurred_at < '2026-01-01' group by rule_id""").fetchall())
    assert Counter(r[1] for r in rows) == Counter(want) and summary["findings"] == sum(want.values()) > 0
    assert {r[3] for r in rows} <= {"高", "中", "低"}
    assert isinstance(rows[0][header.index("发生时间")], dt.datetime)


def test_spot_check_ledger_has_seed_and_reviewer_columns(year_zh, mart):
    _, wb = year_zh
    header, rows = table(wb["抽查台账"])
    assert header[-4:] == ["评查结论", "问题描述", "评查人", "评查日期"] and "随机种子" in header
    want = mart.execute("select case_id, seed, draw_key from mart_spot_check_ledger "
                        "where period_type = 'year' and period = '2025' order by unit_id, draw_rank").fetchall()
    seed, key, case = header.index("随机种子"), header.index("抽取键 md5(种子:期间:案件编号)"), header.index("案件编号")
    assert [(r[case], r[seed], r[key]) for r in rows] == want and all(r[-4:] == (None,) * 4 for r in rows)
    # the sample size is a setting (spot_check_per_unit, default 5), stated on the sheet itself
    per_unit, seed = mart.execute("select spot_check_per_unit, spot_check_seed from mart_run").fetchone()
    assert f"每单位抽取 {per_unit} 件已办结案件，随机种子 {seed}" in wb["抽查台账"]["A1"].value and per_unit == 5


def test_party_names_masked_unless_unmasked(snapshot, year_zh, mart, tmp_path):
    _, wb = year_zh
    full = dict(mart.execute("select case_id, party_name from stg_cases").fetchall())
    write_workbook(snapshot, "2025", tmp_path / "open.xlsx", unmask=True)
    wb2 = load_workbook(tmp_path / "open.xlsx")
    for sheet in ("抽查台账", "问题清单"):
        header, rows = table(wb[sheet])
        party, case = header.index("当事人"), header.index("案件编号")
        names = [r[party] for r in rows if r[party]]
        assert names and all(n == mask(full[r[case]]) for r in rows if (n := r[party]))
        header2, rows2 = table(wb2[sheet])
        assert [r[party] for r in rows2 if r[case]] == [full[r[case]] for r in rows2 if r[case]]
    assert "已脱敏" in cover_text(wb)
    assert "未脱敏" in cover_text(wb2)


def test_cover_states_scope_as_of_profiles_weights_and_freezing(year_zh, snapshot, tmp_path):
    _, wb = year_zh
    text = cover_text(wb)
    for needle in ("全部单位", "2025-12-31", "《河北省行政执法全过程记录办法》", "计分权重", "未冻结", "无（各表均未超过"):
        assert needle in text, needle
    q3 = write_workbook(snapshot, "2025Q3", tmp_path / "q3.xlsx")
    assert q3["frozen"] and "已冻结" in cover_text(load_workbook(tmp_path / "q3.xlsx"))


def test_the_cover_says_the_last_load_s_outcome_in_words(year_zh, mart):
    """A clerk reads 部分拒收, not the code partial."""
    outcome, = mart.execute("select outcome from load_batches order by finished_at desc, batch_id desc limit 1").fetchone()
    text = cover_text(year_zh[1])
    assert f"结果 {code_label('batch_outcome', outcome, 'zh')}" in text and f"结果 {outcome}）" not in text


def test_the_cover_names_the_office_that_files_it(snapshot, year_zh, tmp_path, monkeypatch):
    """填报单位: the oversight office, a setting (office_name); unset, the cover says where to set it."""
    assert "填报单位" in cover_text(year_zh[1]) and "office_name" in cover_text(year_zh[1])
    monkeypatch.setenv("RECWATCH_OFFICE_NAME", "永宁县司法局")
    write_workbook(snapshot, "2025", tmp_path / "office.xlsx")
    cover = load_workbook(tmp_path / "office.xlsx").worksheets[0]
    assert ("填报单位", "永宁县司法局") in [tuple(r[:2]) for r in cover.iter_rows(values_only=True)]


def test_the_cover_says_how_many_could_not_be_judged_and_why(year_zh, mart):
    """rules.md §5 R-DOC: a lien service's receipt from an export without the witness column is not
    judged; the workbook says how many, and why (the sample's first half-year is such an export)."""
    _, wb = year_zh
    n, = mart.execute("select sum(not_judged) from mart_unit_rule_period_not_judged where period_type = 'year' "
                      "and period = '2025' and not_judged_reason = 'witness_not_stated'").fetchone()
    assert n > 0
    assert f"R-DOC {n:,} 件：留置送达回证未载明见证人是否签名" in cover_text(wb)


def test_row_limit_splits_findings_and_the_cover_says_so(snapshot, mart, tmp_path, monkeypatch):
    n = mart.execute("select count(*) from fct_violations where occurred_at >= '2025-01-01' "
                     "and occurred_at < '2026-01-01'").fetchone()[0]
    per_sheet = n // 3 + 1  # three sheets, the last one shorter
    monkeypatch.setattr(tables, "EXCEL_MAX_ROWS", per_sheet + HEADER_ROWS)
    summary = write_workbook(snapshot, "2025", tmp_path / "split.xlsx")
    wb = load_workbook(tmp_path / "split.xlsx")
    parts = ["问题清单", "问题清单(2)", "问题清单(3)"]
    assert [s for s in wb.sheetnames if s.startswith("问题清单")] == parts
    counts = [len(table(wb[p])[1]) for p in parts]
    assert sum(counts) == n and max(counts) <= per_sheet and summary["split"] == {"问题清单": parts}
    assert all(wb[p].max_row <= tables.EXCEL_MAX_ROWS for p in parts)
    assert "拆分为 3 张" in cover_text(wb)


def test_quarter_and_month_periods(snapshot, mart, tmp_path):
    write_workbook(snapshot, "2025Q3", tmp_path / "q.xlsx", lang="en")
    wb = load_workbook(tmp_path / "q.xlsx")
    header, rows = table(wb["Scorecard"])
    want = dict(mart.execute("select unit_id, score from mart_unit_period_scorecard "
                             "where period_type = 'quarter' and period = '2025Q3'").fetchall())
    assert {r[0]: r[header.index("Score")] for r in rows} == want
    assert table(wb["Upload"])[0][2:6] == ["2025-07", "2025-08", "2025-09", "Period total"]

    write_workbook(snapshot, "2025-07", tmp_path / "m.xlsx")
    wb = load_workbook(tmp_path / "m.xlsx")
    n = mart.execute("select count(*) from fct_violations where occurred_at >= '2025-07-01' "
                     "and occurred_at < '2025-08-01'").fetchone()[0]
    assert len(table(wb["问题清单"])[1]) == n
    ledger = mart.execute("select count(*) from mart_spot_check_ledger where period_type = 'quarter' "
                          "and period = '2025Q3'").fetchone()[0]
    assert len(table(wb["抽查台账"])[1]) == ledger > 0  # a month uses its quarter's draw


def test_one_unit_and_its_children(snapshot, mart, tmp_path):
    root, = mart.execute("select unit_id from int_units where parent_unit_id is null order by unit_id limit 1").fetchone()
    leaf, = mart.execute("select unit_id from int_units where parent_unit_id is not null order by unit_id limit 1").fetchone()
    write_workbook(snapshot, "2025", tmp_path / "leaf.xlsx", unit=leaf)
    wb = load_workbook(tmp_path / "leaf.xlsx")
    assert [r[0] for r in table(wb["汇总"])[1]] == [leaf]
    assert {r[4] for r in table(wb["问题清单"])[1]} <= {leaf}
    with pytest.raises(ValueError, match="unknown unit"):
        write_workbook(snapshot, "2025", tmp_path / "x.xlsx", unit="NO-SUCH-UNIT")


def test_sql_masking_matches_python_masking():
    names = [None, "", "  ", "张三丰", " 李四 ", "\u3000王五\u3000", "A", "e\u0301x", "👍🏽", "ab\tc", "O'Brien", "\x85x\xa0"]
    con = duckdb.connect()
    got = [r[0] for r in con.execute(f"select {mask_sql('v')} from unnest($names) with ordinality t(v, i) order by i",
                                     {"names": names}).fetchall()]
    assert got == [mask(n) for n in names]
    assert con.execute(f"select {mask_sql('v', unmask=True)} from (select '张三丰' as v)").fetchone() == ("张三丰",)
    assert set(STRIPPED) == {c for c in map(chr, range(0x110000)) if c.isspace()}


def test_spliced_rows_read_back_as_the_rows_openpyxl_writes(tmp_path, monkeypatch):
    """The findings rows DuckDB writes, split over sheets, read back as openpyxl's own cells do:
    escaping, kept whitespace, CJK, empty cells, date-times to the microsecond (Excel's phantom
    1900-02-29 included); only characters XML cannot carry are dropped, where openpyxl refuses them."""
    rows = [("a & b <c> 'd' \"e\"", dt.datetime(2025, 7, 1, 0, 18, 47, 123456)),
            ("  首尾空白\u3000", dt.datetime(1900, 2, 28, 12)),
            ("控制\x01字符\x1f", dt.datetime(1900, 3, 1)),
            ("line\r\nbreak", None),
            (None, dt.datetime(2025, 12, 31, 23, 59, 59, 999999)),
            ("", dt.datetime(1999, 1, 1, 8, 30))]
    monkeypatch.setattr(tables, "EXCEL_MAX_ROWS", 4 + HEADER_ROWS)
    cols = [Col("text"), Col("when", FMT_DATETIME)]
    clean = [(t.replace("\x01", "").replace("\x1f", "") if t else t, d) for t, d in rows]
    ref = Workbook(write_only=True)
    write_table(ref, "T", "title", cols, clean)
    ref.save(tmp_path / "ref.xlsx")

    con = duckdb.connect()
    con.execute("create table v (i int, t varchar, d timestamp)")
    con.executemany("insert into v values (?, ?, ?)", [(i, t, d) for i, (t, d) in enumerate(rows)])
    wb = Workbook(write_only=True)
    sheets = write_table(wb, "T", "title", cols, [], sample=[], n_rows=len(rows)).sheets
    style = tables.cell(sheets[0][0], None, FMT_DATETIME).style_id
    wb.save(tmp_path / "package.xlsx")
    sql = sheetrows.rows_sql("select i, t, d from v", [("t", sheetrows.TEXT), ("d", sheetrows.DATETIME)], "i",
                             HEADER_ROWS + 1, tables.rows_per_sheet(), style)
    sheetrows.splice(tmp_path / "package.xlsx", tmp_path / "spliced.xlsx",
                     [(ws.path.lstrip("/"), n) for ws, n in sheets], sheetrows.row_batches(con, sql, {}, rows=3))

    want, got = load_workbook(tmp_path / "ref.xlsx"), load_workbook(tmp_path / "spliced.xlsx")
    assert got.sheetnames == want.sheetnames == ["T", "T(2)"]
    for name in want.sheetnames:
        assert list(got[name].values) == list(want[name].values)
        assert [c.number_format for c in got[name]["B"][FIRST - 1:] if c.value] == [FMT_DATETIME] * (
            sum(1 for c in want[name]["B"][FIRST - 1:] if c.value))
    assert table(got["T"])[1][:3] == [("a & b <c> 'd' \"e\"", dt.datetime(2025, 7, 1, 0, 18, 47, 123000)),
                                      ("  首尾空白\u3000", dt.datetime(1900, 2, 28, 12)),
                                      ("控制字符", dt.datetime(1900, 3, 1))]


def test_splice_refuses_rows_that_do_not_match_the_layout(tmp_path):
    wb = Workbook(write_only=True)
    sheets = write_table(wb, "T", "title", [Col("text")], [], sample=[], n_rows=2).sheets
    wb.save(tmp_path / "package.xlsx")
    parts = [(ws.path.lstrip("/"), n) for ws, n in sheets]
    con = duckdb.connect()
    for n, error in ((1, "1 rows written, 2 expected"), (3, "rows left over")):
        sql = sheetrows.rows_sql(f"select 'x' as t, i from range({n}) r(i)", [("t", sheetrows.TEXT)], "i", FIRST,
                                 tables.rows_per_sheet(), 0)
        with pytest.raises(ValueError, match=error):
            sheetrows.splice(tmp_path / "package.xlsx", tmp_path / "out.xlsx", parts, sheetrows.row_batches(con, sql, {}))


def test_row_batches_pass_on_errors_and_stop_reading_when_closed():
    con = duckdb.connect()
    failing = "select case when i = 5 then error('boom') else 'x' end as xml from range(10) r(i)"
    with pytest.raises(Exception, match="boom"):
        list(sheetrows.row_batches(con, failing, {}, rows=2))
    batches = sheetrows.row_batches(con, "select 'x' as xml from range(100000) r(i)", {}, rows=10)
    assert len(next(batches)) == 10
    batches.close()
    assert not [t for t in threading.enumerate() if t.name == "sheetrows-read-ahead"]


@pytest.mark.parametrize("bad", ["2025Q5", "2025-13", "25", "2025-7", "last year", ""])
def test_invalid_period_is_a_clear_error(bad, snapshot, tmp_path):
    with pytest.raises(ValueError, match="invalid period"):
        write_workbook(snapshot, bad, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_parse_period():
    assert parse_period("2025") == ("year", "2025") and parse_period(" 2025q4 ") == ("quarter", "2025Q4")
    assert parse_period("2025-02") == ("month", "2025-02")


def test_a_period_is_read_from_dim_periods(mart):
    year = find_period(mart, "2025", "zh")
    assert year.months[0] == "2025-01" and len(year.months) == 12 and year.label == "2025年度"
    q = find_period(mart, "2025q4", "en")
    assert (q.code, q.start, q.end, q.ledger_code, q.label) == (
        "2025Q4", dt.date(2025, 10, 1), dt.date(2026, 1, 1), "2025Q4", "2025 Q4")
    m = find_period(mart, "2025-02", "zh")
    assert (m.kind, m.end, m.ledger_kind, m.ledger_code, m.ledger_label) == (
        "month", dt.date(2025, 3, 1), "quarter", "2025Q1", "2025年第一季度")


def test_a_period_the_snapshot_does_not_cover_is_refused_naming_those_it_does(snapshot, tmp_path):
    with pytest.raises(ValueError, match=r"'2024Q3' is not in the snapshot, which covers years 2025, "
                                         r"quarters 2025Q1 to 2025Q4, months 2025-01 to 2025-12"):
        write_workbook(snapshot, "2024Q3", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_month_fills_its_month_column(snapshot, tmp_path):
    write_workbook(snapshot, "2025-07", tmp_path / "m.xlsx")
    header, rows = table(load_workbook(tmp_path / "m.xlsx")["及时存储"])
    assert header[2:4] == ["2025-07", "期间合计"] and rows and all(r[2] == r[3] is not None for r in rows)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook_and_converts_it_to_pdf(snapshot, mart, tmp_path):
    """The workbook must open without a repair prompt: a headless conversion to PDF succeeds."""
    leaf, = mart.execute("select unit_id from int_units where parent_unit_id is not null order by unit_id limit 1").fetchone()
    xlsx = tmp_path / "lo.xlsx"
    write_workbook(snapshot, "2025Q3", xlsx, unit=leaf)
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
                          capture_output=True, text=True, timeout=120)
    pdf = tmp_path / "lo.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
