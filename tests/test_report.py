"""The appraisal workbook (reports/workbook.py), read back with openpyxl and reconciled with the marts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import threading

import duckdb
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from core.i18n import code_label
from core.privacy import STRIPPED, mask, mask_sql
from reports import sheetrows, tables
from reports.citations import citation_order
from reports.context import find_period, parse_period
from reports.tables import FMT_DATETIME, HEADER_ROWS, Col, Fonts, Frame, write_table
from reports.workbook import write_workbook

FIRST = HEADER_ROWS + 1  # first data row of every table sheet
FRAME = Frame("zh", "永宁县司法局", dt.date(2026, 1, 5), Fonts.of("zh"))


@pytest.fixture(scope="module")
def year_zh(snapshot, tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "y.xlsx"
    summary = write_workbook(snapshot, "2025", out)
    return summary, load_workbook(out)


def header(ws) -> list[str]:
    """Each column's name from the two header rows: a grouped column's as 'group/name'."""
    names, group = [], None
    for top, sub in zip(ws[HEADER_ROWS - 1], ws[HEADER_ROWS]):
        if sub.value is None:
            names.append(top.value)
        else:
            group = top.value if top.value is not None else group
            names.append(f"{group}/{sub.value}")
    return names


def table(ws) -> tuple[list, list[tuple]]:
    """The header and the numbered rows (序号 in column A): not the headings, totals or notes."""
    rows = [r for r in ws.iter_rows(min_row=FIRST, values_only=True) if isinstance(r[0], int)]
    return header(ws), rows


def below(ws) -> list[tuple]:
    """The rows under the numbered ones: totals, notes, signature lines."""
    rows = list(ws.iter_rows(min_row=FIRST, values_only=True))
    last = max(i for i, r in enumerate(rows) if isinstance(r[0], int))
    return [r for r in rows[last + 1:] if any(v is not None for v in r)]


def cover_text(wb) -> str:
    return "\n".join(str(v) for row in wb.worksheets[0].iter_rows(values_only=True) for v in row if v is not None)


def test_sheet_names_in_chinese_and_english(snapshot, year_zh, tmp_path):
    summary, wb = year_zh
    assert wb.sheetnames[:3] == ["说明", "汇总", "分类合规率"] and wb.sheetnames[-3:] == ["问题清单", "评查汇总", "抽查台账"]
    assert "及时存储" in wb.sheetnames and summary["sheets"] == wb.sheetnames
    en = write_workbook(snapshot, "2025", tmp_path / "en.xlsx", lang="en")
    wb_en = load_workbook(tmp_path / "en.xlsx")
    assert wb_en.sheetnames[:3] == ["Cover", "Scorecard", "Rates by family"]
    assert wb_en.sheetnames[-3:] == ["Findings", "Review summary", "Spot-check ledger"]
    assert "Upload" in wb_en.sheetnames and len(wb_en.sheetnames) == len(wb.sheetnames) == len(en["sheets"])
    names, _ = table(wb_en["Findings"])
    assert names[:5] == ["No.", "Occurred at", "Party name", "Records", "Detail"] and "Finding id" in names
    assert all(len(name) <= 31 for name in wb.sheetnames + wb_en.sheetnames)


def test_scorecard_rows_equal_the_mart_highest_score_first_with_totals(year_zh, mart):
    """汇总: 序号, the dashboard's order (highest score first), a 合计 row that adds up the units'
    judged items and violations and an 平均 row of their scores, the notes and the signature lines."""
    _, wb = year_zh
    ws = wb["汇总"]
    names, rows = table(ws)
    assert names[:3] == ["序号", "单位名称", "单位编码"] and "得分" in names and "同级排名" in names
    unit, score = names.index("单位编码"), names.index("得分")
    want = mart.execute("""
        select unit_id, score, rank, rank_of, judged, violations from mart_unit_period_scorecard
        where period_type = 'year' and period = '2025' order by score desc nulls last, unit_id""").fetchall()
    assert [(r[unit], r[score], r[names.index("同级排名")], r[names.index("同级单位数")],
             r[names.index("判定事项数")], r[names.index("违规数")]) for r in rows] == want and len(want) > 1
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    total, mean, *rest = below(ws)
    assert total[0] == "合计" and total[names.index("判定事项数")] == sum(w[4] for w in want)
    assert total[names.index("违规数")] == sum(w[5] for w in want)
    assert mean[0] == "平均" and mean[score] == pytest.approx(sum(w[1] for w in want) / len(want))
    text = "\n".join(str(v) for r in rest for v in r if v)
    assert text.startswith("注：1. 按得分由高到低排列") and "制表人：" in text and "审核人：" in text and "负责人：" in text
    assert ws.cell(row=FIRST, column=score + 1).number_format == "0.0"
    assert ws.freeze_panes == f"C{FIRST}" and ws.auto_filter.ref.startswith(f"A{HEADER_ROWS}")
    rules = [r.type for cf in ws.conditional_formatting for r in cf.rules]
    assert "colorScale" in rules and "expression" in rules
    chart, = ws._charts
    assert type(chart).__name__ == "BarChart" and chart.type == "bar"
    # the axis shows the spread: it starts below the lowest score, not at 0
    assert 0 < chart.y_axis.scaling.min <= min(w[1] for w in want) and chart.y_axis.scaling.max == 100


def test_rates_by_family_stand_beside_their_counts_and_say_where_a_family_does_not_apply(year_zh, mart):
    """分类合规率: each family's 判定事项数, 违规数 and 合规率 per unit, reconciling with the marts;
    不适用 where the unit's profile weighs the family 0 (its rules only indicators there)."""
    _, wb = year_zh
    names, rows = table(wb["分类合规率"])
    by_name = dict(mart.execute("select unit_name, unit_id from dim_units").fetchall())
    want = {(u, f): (j, j - c) for u, f, j, c in mart.execute("""
        select unit_id, family, sum(judged), sum(compliant) from mart_unit_rule_period_rates
        where level = 'violation' and period_type = 'year' and period = '2025' group by all
        having sum(judged) > 0""").fetchall()}
    families = dict(mart.execute("select name_zh, family from dim_rule_families").fetchall())
    weights = {(u, f): w for u, f, w in mart.execute("""
        select u.unit_id, w.family, w.weight from dim_units u join dim_profile_family_weights w using (profile_id)""").fetchall()}
    seen_na = 0
    for r in rows:
        unit = by_name[r[1]]
        for i, name in enumerate(names):
            if not name.endswith("/判定事项数"):
                continue
            family = families[name.split("/")[0]]
            judged, violations, rate = r[i:i + 3]
            if (unit, family) in want:
                assert (judged, violations) == want[unit, family]
                assert rate == pytest.approx((judged - violations) / judged)
            elif weights[unit, family] == 0:
                assert (judged, violations, rate) == ("不适用",) * 3
                seen_na += 1
            else:
                assert (judged, violations, rate) == ("—",) * 3
    assert seen_na > 0
    total = below(wb["分类合规率"])[0]
    upload = names.index("及时存储/判定事项数")
    assert total[0] == "合计" and total[upload] == sum(j for (u, f), (j, v) in want.items() if f == "upload")


def test_family_sheets_have_counts_beside_monthly_rates_and_a_sorted_bar_chart(year_zh, mart):
    _, wb = year_zh
    ws = wb["及时存储"]
    names, rows = table(ws)
    assert names[2:5] == ["期间合计/判定事项数", "期间合计/违规数", "期间合计/合规率"]
    assert names[5] == "2025年1月/判定事项数" and names[-1] == "2025年12月/合规率"
    by_name = dict(mart.execute("select unit_name, unit_id from dim_units").fetchall())
    july = names.index("2025年7月/判定事项数")
    got = {by_name[r[1]]: r[july:july + 3] for r in rows if isinstance(r[july], int)}
    want = {u: (j, j - c, c / j) for u, j, c in mart.execute("""
        select unit_id, sum(judged), sum(compliant) from mart_unit_rule_period_rates
        where family = 'upload' and level = 'violation' and period_type = 'month' and period = '2025-07'
        group by unit_id having sum(judged) > 0""").fetchall()}
    assert got.keys() == want.keys() and all(got[u][:2] == want[u][:2] and got[u][2] == pytest.approx(want[u][2])
                                             for u in want)
    rates = [r[4] for r in rows if isinstance(r[4], float)]
    assert rates == sorted(rates, reverse=True)  # the best first, as the bars are drawn
    scores = dict(mart.execute("select unit_id, upload_rate from mart_unit_period_scorecard "
                               "where period_type = 'year' and period = '2025'").fetchall())
    assert all(r[4] == pytest.approx(scores[by_name[r[1]]]) for r in rows if isinstance(r[4], float))
    chart, = ws._charts
    assert type(chart).__name__ == "BarChart" and 0 < chart.y_axis.scaling.min <= min(rates)


def shaded(ws, ref: str):
    """The fill and font the sheet's conditional formats give cell `ref`, as a spreadsheet applies them:
    the rules over it by priority, the first true one winning where it says stop (as LibreOffice
    always does). Formulas of the shapes the workbook writes: AND, ISNUMBER, comparisons, cell refs."""
    row = re.fullmatch(r"[A-Z]+(\d+)", ref).group(1)
    fill = font = None
    rules = sorted(((cf.sqref, r) for cf in ws.conditional_formatting for r in cf.rules), key=lambda x: x[1].priority)
    for sqref, rule in rules:
        if ref not in sqref or rule.type != "expression":
            continue
        top = min(c.min_row for c in sqref.ranges)

        def value(m, top=top):
            v = ws[f"{m.group(1)}{int(m.group(2)) + int(row) - top}"].value
            return repr(v)
        expr = re.sub(r"\b([A-Z]{1,2})(\d+)\b", value, rule.formula[0])
        expr = expr.replace("AND(", "all_(").replace("ISNUMBER(", "isnum_(")
        true = eval(expr, {"all_": lambda *a: all(a), "isnum_": lambda v: isinstance(v, (int, float))})
        if true:
            fill = fill or (rule.dxf.fill if rule.dxf and rule.dxf.fill else None)
            font = font or (rule.dxf.font if rule.dxf and rule.dxf.font else None)
            if rule.stopIfTrue:
                break
    return fill, font


def test_a_rate_over_few_judged_items_is_greyed_not_shaded_red(year_zh):
    """One finding in two items is not a unit at 50 %: below MIN_JUDGED a rate is only indicative."""
    _, wb = year_zh
    few = many = 0
    for name in ("音像记录覆盖", "分类合规率"):
        ws = wb[name]
        names = header(ws)
        for r in range(FIRST, ws.max_row + 1):
            if not isinstance(ws.cell(r, 1).value, int):
                continue
            for c, head in enumerate(names, 1):
                rate = ws.cell(r, c).value
                if not (head and head.endswith("/合规率") and isinstance(rate, float) and rate < 0.9):
                    continue
                judged = ws.cell(r, c - 2).value
                fill, font = shaded(ws, f"{get_column_letter(c)}{r}")
                if judged < tables.MIN_JUDGED:
                    few += 1
                    assert fill is None and font.i and font.color.rgb.endswith(tables.FEW_FONT_COLOR), (name, r, c)
                else:
                    many += 1
                    assert fill is not None and "FFC7CE" in f"{fill.fgColor.rgb}{fill.bgColor.rgb}", (name, r, c)
    assert few and many
    assert "少于 10 项的，合规率仅供参考，以灰色斜体显示、不标红" in "".join(str(v) for r in below(wb["分类合规率"]) for v in r if v)


def findings_rows(ws) -> tuple[list[str], list[tuple], list[str]]:
    """The findings' header, numbered rows, and heading texts (units and rules) in order."""
    names, rows = table(ws)
    headings = [r[0] for r in ws.iter_rows(min_row=FIRST, values_only=True) if isinstance(r[0], str)]
    return names, rows, headings


def test_findings_are_listed_by_unit_then_severity_and_rule_and_reconcile(year_zh, mart):
    """问题清单 by unit, for the clerk who writes each unit's 整改通知: a heading per unit (its counts),
    one per rule (the article it breaks), the findings numbered within the unit."""
    summary, wb = year_zh
    ws = wb["问题清单"]
    names, rows, headings = findings_rows(ws)
    fid, unit_col, sev_col = names.index("问题编号"), names.index("单位名称"), names.index("严重程度")
    cite = names.index("依据条款")
    want = {v: (r, u, c) for v, r, u, c in mart.execute("""
        select violation_id, rule_id, unit_name, citation from mart_findings
        where occurred_at >= '2025-01-01' and occurred_at < '2026-01-01'""").fetchall()}
    assert sorted(r[fid] for r in rows) == sorted(want) and summary["findings"] == len(want) > 0
    assert all((r[unit_col], r[cite]) == want[r[fid]][1:] for r in rows)
    units = [r[unit_col] for r in rows]
    order = [u for i, u in enumerate(units) if i == 0 or units[i - 1] != u]
    assert len(order) == len(set(order))  # each unit's findings together
    assert [h for h in headings if "：问题 " in h] == [
        f"{u}（{dict((n, i) for i, n in mart.execute('select unit_id, unit_name from dim_units').fetchall())[u]}）"
        f"：问题 {units.count(u):,} 项（" + h.split("项（", 1)[1] for u, h in
        zip(order, [h for h in headings if "：问题 " in h])]
    rank = {"高": 0, "中": 1, "低": 2}
    for u in order:
        mine = [r for r in rows if r[unit_col] == u]
        assert [r[0] for r in mine] == list(range(1, len(mine) + 1))
        # a rule's articles in the regulation's order (第十四条 before 第十五条 and 第二十条), as the notices list them
        keys = [(rank[r[sev_col]], want[r[fid]][0], citation_order(r[cite])) for r in mine]
        assert keys == sorted(keys)
    assert ws.print_area == f"'问题清单'!$A$1:$E${HEADER_ROWS + len(rows) + len(headings)}"
    assert len(ws.row_breaks.brk) == len(order) - 1  # each unit from a new page


def test_a_heading_wraps_in_the_printed_columns_and_is_not_cut_at_the_page_s_edge(year_zh):
    """A rule's heading names its articles, which can run past the five printed columns: it is merged
    over them, wraps, and its row is as high as its lines."""
    _, wb = year_zh
    ws = wb["问题清单"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    width = sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, 6))
    heads = [c for (c,) in ws.iter_rows(min_row=FIRST, max_col=1) if isinstance(c.value, str)]
    assert heads and all(f"A{c.row}:E{c.row}" in merged and c.alignment.wrap_text for c in heads)
    long = [c for c in heads if tables.display_width(c.value) > width]
    assert long and all(ws.row_dimensions[c.row].height >= tables.line_height(tables.text_lines(c.value, width))
                        for c in long)


def test_spot_check_ledger_has_reviewer_columns_and_keeps_the_draw_out_of_print(year_zh, mart):
    _, wb = year_zh
    ws = wb["抽查台账"]
    names, rows = table(ws)
    # the reviewer's columns carry the contract's headers of spot_check_reviews: the sheet is its form
    assert names[11:18] == ["评查结论", "存在问题", "评查人", "评查时间", "整改期限", "整改完成时间", "整改情况"]
    assert names[-5:] == ["评查编号", "单位编码", "抽查期间", "随机种子", "抽取键（MD5 值）"]
    want = mart.execute("""
        select l.case_id, l.seed, l.draw_key from mart_spot_check_ledger l
        join mart_unit_period_scorecard s on s.unit_id = l.unit_id and s.period_type = 'year' and s.period = '2025'
        where l.period_type = 'year' and l.period = '2025' order by s.score desc, s.unit_id, l.draw_rank""").fetchall()
    case = names.index("案件编号")
    assert [(r[case], r[-2], r[-1]) for r in rows] == want
    # empty for a case not reviewed yet, the returned review for the others (the sample year has both)
    reviewer = dict(mart.execute("""select case_id, reviewer from mart_spot_check_ledger
                                    where period = '2025' and conclusion is not null""").fetchall())
    assert 0 < len(reviewer) < len(rows)
    assert all(r[13] == reviewer[r[case]] if r[case] in reviewer else r[11:18] == (None,) * 7 for r in rows)
    assert ws.print_area.endswith("$A$1:$R$" + str(ws.max_row))  # the review id and the md5 key are not printed
    per_unit, seed = mart.execute("select spot_check_per_unit, spot_check_seed from mart_run").fetchone()
    assert f"每单位抽取 {per_unit} 件已办结案件，随机种子 {seed}" in ws["A1"].value and per_unit == 5


def test_the_ledger_prints_every_case_number_whole(year_zh):
    """A reviewer looks a case up by its number: a printed text is never cut at its column's edge
    (it wraps in its column, or the column is wide enough)."""
    _, wb = year_zh
    ws = wb["抽查台账"]
    printed = column_index_from_string("R")
    cut = [(c.coordinate, c.value) for row in ws.iter_rows(min_row=FIRST, max_col=printed) if isinstance(row[0].value, int)
           for c in row if isinstance(c.value, str) and not c.alignment.wrap_text
           and tables.display_width(c.value) > ws.column_dimensions[c.column_letter].width]
    assert not cut


TABLE_SHEETS = ("汇总", "分类合规率", "及时存储", "问题清单", "评查汇总", "抽查台账")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_is_laid_out_as_a_filed_report(snapshot, tmp_path, lang, monkeypatch):
    """The conventions of a Chinese government statistical report: a merged, centred title, the
    filer and the date; one typeface at ≥ 9 pt; A4 landscape at 100 % (never shrunk to fit) with no
    printed gridlines; a table wider than a page split between pages with its first columns
    repeated, each page within the page's width."""
    monkeypatch.setenv("RECWATCH_OFFICE_NAME", "永宁县司法局")
    write_workbook(snapshot, "2025", tmp_path / "w.xlsx", lang=lang)
    wb = load_workbook(tmp_path / "w.xlsx")
    face = tables.FACES[lang]
    for ws in wb.worksheets:
        title = ws["A1"]
        assert title.alignment.horizontal == "center" and title.font.b and title.font.sz >= 14
        assert any(str(r.coord).startswith("A1:") for r in ws.merged_cells.ranges), ws.title
        info = " ".join(str(c.value) for row in ws.iter_rows(min_row=2, max_row=3) for c in row if c.value)
        assert "永宁县司法局" in info and ("制表日期：" in info if lang == "zh" else "Made on:" in info)
        fonts = {(c.font.name, c.font.sz) for row in ws.iter_rows(max_row=60) for c in row if c.value is not None}
        assert {name for name, _ in fonts} == {face} and min(size for _, size in fonts) >= 9, (ws.title, fonts)
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", 9, 100), ws.title
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
        assert not ws.print_options.gridLines
        printed = column_index_from_string(ws.print_area.split("$")[-2]) if ws.print_area else ws.max_column
        widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, printed + 1)]
        ends = [b.id for b in ws.col_breaks.brk if b.id < printed] + [printed]
        repeat = column_index_from_string(ws.print_title_cols.split(":")[1].strip("$")) if ws.print_title_cols else 0
        start = 0
        for end in ends:
            page = sum(widths[:repeat]) * (start > 0) + sum(widths[start:end])
            assert page <= tables.PAGE_WIDTH_UNITS[lang], (ws.title, start, end, page)
            start = end
    for name in TABLE_SHEETS if lang == "zh" else ():
        ws = wb[name]
        assert ws.print_title_rows == f"${HEADER_ROWS - 1}:${HEADER_ROWS}" and ws[f"A{HEADER_ROWS - 1}"].value == "序号"


def test_party_names_masked_unless_unmasked(snapshot, year_zh, mart, tmp_path):
    _, wb = year_zh
    full = dict(mart.execute("select case_id, party_name from stg_cases").fetchall())
    write_workbook(snapshot, "2025", tmp_path / "open.xlsx", unmask=True)
    wb2 = load_workbook(tmp_path / "open.xlsx")
    ledger, ledger2 = table(wb["抽查台账"])[1], table(wb2["抽查台账"])[1]
    party, case = table(wb["抽查台账"])[0].index("当事人"), table(wb["抽查台账"])[0].index("案件编号")
    assert ledger and all(r[party] == mask(full[r[case]]) for r in ledger)
    assert [r[party] for r in ledger2] == [full[r[case]] for r in ledger2]
    names, rows = table(wb["问题清单"])
    party, records = names.index("当事人"), names.index("涉及记录")
    case_of = lambda r: r[records].split("案件 ", 1)[1].split("；")[0]  # noqa: E731
    with_case = [r for r in rows if r[records] and "案件 " in r[records]]
    assert with_case and all(r[party] == mask(full[case_of(r)]) for r in with_case if r[party])
    rows2 = [r for r in table(wb2["问题清单"])[1] if r[records] and "案件 " in r[records]]
    assert [r[party] for r in rows2 if r[party]] == [full[case_of(r)] for r in rows2 if r[party]]
    assert "已脱敏" in cover_text(wb)
    assert "未脱敏" in cover_text(wb2)


def test_cover_states_scope_as_of_profiles_weights_and_freezing(year_zh, snapshot, tmp_path):
    _, wb = year_zh
    text = cover_text(wb)
    for needle in ("全部单位", "2025年12月31日", "《河北省行政执法全过程记录办法》", "计分权重", "未冻结", "按单位列于"):
        assert needle in text, needle
    q3 = write_workbook(snapshot, "2025Q3", tmp_path / "q3.xlsx")
    assert q3["frozen"] and "已冻结" in cover_text(load_workbook(tmp_path / "q3.xlsx"))


def test_the_cover_reads_as_chinese_and_its_regulations_start_a_page(year_zh, snapshot, tmp_path):
    """No code or English word in the Chinese cover (md5(seed:period:case_id), 2026-12-06), dates as
    the rest of the cover writes them; the table of regulations begins a page of its own, so that
    its heading is never left alone at the foot of the first; in English, 1 unit, not 1 units."""
    ws = year_zh[1]["说明"]
    values = {r[0]: r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[0] and r[1]}
    english = [(k, v) for k, v in values.items() if re.search(r"[A-Za-z]{2,}", str(v).replace("MD5", ""))
               and not k.startswith("《")]
    assert not english
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（第 \d+ 批次，.+）", values["数据截至（最近一次加载完成）"])
    assert "（2025年1月1日至2025年12月31日）" in values["考核期间"]
    heading = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "规定名称")
    assert [b.id for b in ws.row_breaks.brk] == [heading - 1]
    write_workbook(snapshot, "2025", tmp_path / "en.xlsx", lang="en")
    en = cover_text(load_workbook(tmp_path / "en.xlsx"))
    assert "1 units" not in en and re.search(r"\b1 unit;", en) and re.search(r"\b[2-9] units;", en)


def test_the_cover_says_the_last_load_s_outcome_in_words(year_zh, mart):
    """A clerk reads 部分拒收, not the code partial."""
    outcome, = mart.execute("select outcome from load_batches order by finished_at desc, batch_id desc limit 1").fetchone()
    text = cover_text(year_zh[1])
    assert f"批次，{code_label('batch_outcome', outcome, 'zh')}）" in text and f"{outcome}）" not in text


def test_the_cover_names_the_office_that_files_it(snapshot, year_zh, tmp_path, monkeypatch):
    """填报单位: the oversight office, a setting (office_name); unset, every sheet says where to set it."""
    assert all("填报单位：（未设置" in ws["A2"].value and "office_name" in ws["A2"].value for ws in year_zh[1])
    monkeypatch.setenv("RECWATCH_OFFICE_NAME", "永宁县司法局")
    write_workbook(snapshot, "2025", tmp_path / "office.xlsx")
    assert all(ws["A2"].value == "填报单位：永宁县司法局" for ws in load_workbook(tmp_path / "office.xlsx"))


def test_the_cover_says_how_many_could_not_be_judged_and_why(year_zh, mart):
    """rules.md §5 R-DOC: a lien service's receipt from an export without the witness column is not
    judged; the workbook says how many, and why (the sample's first half-year is such an export)."""
    _, wb = year_zh
    n, = mart.execute("select sum(not_judged) from mart_unit_rule_period_not_judged where period_type = 'year' "
                      "and period = '2025' and not_judged_reason = 'witness_not_stated'").fetchone()
    assert n > 0
    assert f"文字记录完整 {n:,} 件：留置送达回证未载明见证人是否签名" in cover_text(wb)


def test_row_limit_splits_findings_and_the_cover_says_so(snapshot, mart, tmp_path, monkeypatch):
    n = mart.execute("select count(*) from fct_violations where occurred_at >= '2025-01-01' "
                     "and occurred_at < '2026-01-01'").fetchone()[0]
    headings = mart.execute("select count(distinct unit_id) + count(distinct (unit_id, rule_id, citation)) "
                            "from mart_findings where occurred_at >= '2025-01-01' and occurred_at < '2026-01-01'").fetchone()[0]
    per_sheet = (n + headings) // 3 + 1  # three sheets, the last one shorter
    monkeypatch.setattr(tables, "EXCEL_MAX_ROWS", per_sheet + HEADER_ROWS)
    summary = write_workbook(snapshot, "2025", tmp_path / "split.xlsx")
    wb = load_workbook(tmp_path / "split.xlsx")
    parts = ["问题清单", "问题清单(2)", "问题清单(3)"]
    assert [s for s in wb.sheetnames if s.startswith("问题清单")] == parts
    counts = [len(findings_rows(wb[p])[1]) + len(findings_rows(wb[p])[2]) for p in parts]
    assert sum(counts) == n + headings and max(counts) <= per_sheet and summary["split"] == {"问题清单": parts}
    assert all(wb[p].max_row <= tables.EXCEL_MAX_ROWS for p in parts)
    assert "拆分为 3 张" in cover_text(wb)


def test_quarter_and_month_periods(snapshot, mart, tmp_path):
    write_workbook(snapshot, "2025Q3", tmp_path / "q.xlsx", lang="en")
    wb = load_workbook(tmp_path / "q.xlsx")
    header, rows = table(wb["Scorecard"])
    want = dict(mart.execute("select unit_id, score from mart_unit_period_scorecard "
                             "where period_type = 'quarter' and period = '2025Q3'").fetchall())
    assert {r[2]: r[header.index("Score")] for r in rows} == want
    months = [r[0] for r in mart.execute("select label_en from dim_periods where period_type = 'month' "
                                         "and period between '2025-07' and '2025-09' order by period").fetchall()]
    assert [n.split("/")[0] for n in table(wb["Upload"])[0][2::3]] == ["Period total", *months]

    write_workbook(snapshot, "2025-07", tmp_path / "m.xlsx")
    wb = load_workbook(tmp_path / "m.xlsx")
    n = mart.execute("select count(*) from fct_violations where occurred_at >= '2025-07-01' "
                     "and occurred_at < '2025-08-01'").fetchone()[0]
    assert len(findings_rows(wb["问题清单"])[1]) == n
    ledger = mart.execute("select count(*) from mart_spot_check_ledger where period_type = 'quarter' "
                          "and period = '2025Q3'").fetchone()[0]
    assert len(table(wb["抽查台账"])[1]) == ledger > 0  # a month uses its quarter's draw


def test_one_unit_and_its_children(snapshot, mart, tmp_path):
    root, = mart.execute("select unit_id from int_units where parent_unit_id is null order by unit_id limit 1").fetchone()
    leaf, = mart.execute("select unit_id from int_units where parent_unit_id is not null order by unit_id limit 1").fetchone()
    write_workbook(snapshot, "2025", tmp_path / "leaf.xlsx", unit=leaf)
    wb = load_workbook(tmp_path / "leaf.xlsx")
    name, = mart.execute("select unit_name from dim_units where unit_id = ?", [leaf]).fetchone()
    assert [r[2] for r in table(wb["汇总"])[1]] == [leaf]
    assert f"\n{name}（{leaf}）\n" in cover_text(wb) and "下级单位" not in cover_text(wb)  # a leaf has none
    write_workbook(snapshot, "2025", tmp_path / "root.xlsx", unit=root)
    assert f"{mart.execute('select unit_name from dim_units where unit_id = ?', [root]).fetchone()[0]}（{root}）及其下级单位（共 " \
        in cover_text(load_workbook(tmp_path / "root.xlsx"))
    names, rows = table(wb["问题清单"])
    assert {r[names.index("单位名称")] for r in rows} <= {name}
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
    write_table(ref, FRAME, "T", "title", cols, clean)
    ref.save(tmp_path / "ref.xlsx")

    con = duckdb.connect()
    con.execute("create table v (i int, t varchar, d timestamp)")
    con.executemany("insert into v values (?, ?, ?)", [(i, t, d) for i, (t, d) in enumerate(rows)])
    wb = Workbook(write_only=True)
    sheets = write_table(wb, FRAME, "T", "title", cols, [], sample=[], n_rows=len(rows)).sheets
    style = tables.cell(sheets[0][0], None, FMT_DATETIME).style_id
    wb.save(tmp_path / "package.xlsx")
    sql = sheetrows.rows_sql("select i, t, d from v", [("t", sheetrows.TEXT, None), ("d", sheetrows.DATETIME, style)],
                             "i", HEADER_ROWS + 1, tables.rows_per_sheet())
    sheetrows.splice(tmp_path / "package.xlsx", tmp_path / "spliced.xlsx",
                     [(ws.path.lstrip("/"), n) for ws, n in sheets], sheetrows.row_batches(con, sql, {}, rows=3))

    want, got = load_workbook(tmp_path / "ref.xlsx"), load_workbook(tmp_path / "spliced.xlsx")
    assert got.sheetnames == want.sheetnames == ["T", "T(2)"]
    for name in want.sheetnames:
        assert list(got[name].values) == list(want[name].values)
        assert [c.number_format for c in got[name]["B"][FIRST - 1:] if c.value] == [FMT_DATETIME] * (
            sum(1 for c in want[name]["B"][FIRST - 1:] if c.value))
    assert list(got["T"].iter_rows(min_row=FIRST, values_only=True))[:3] == [("a & b <c> 'd' \"e\"", dt.datetime(2025, 7, 1, 0, 18, 47, 123000)),
                                      ("  首尾空白\u3000", dt.datetime(1900, 2, 28, 12)),
                                      ("控制字符", dt.datetime(1900, 3, 1))]


def test_splice_refuses_rows_that_do_not_match_the_layout(tmp_path):
    wb = Workbook(write_only=True)
    sheets = write_table(wb, FRAME, "T", "title", [Col("text")], [], sample=[], n_rows=2).sheets
    wb.save(tmp_path / "package.xlsx")
    parts = [(ws.path.lstrip("/"), n) for ws, n in sheets]
    con = duckdb.connect()
    for n, error in ((1, "1 rows written, 2 expected"), (3, "rows left over")):
        sql = sheetrows.rows_sql(f"select 'x' as t, i from range({n}) r(i)", [("t", sheetrows.TEXT, None)], "i", FIRST,
                                 tables.rows_per_sheet())
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
        "2025Q4", dt.date(2025, 10, 1), dt.date(2026, 1, 1), "2025Q4", "Q4 2025")
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
    ws = load_workbook(tmp_path / "m.xlsx")["及时存储"]
    header, rows = table(ws)
    assert header[2:] == ["期间合计/判定事项数", "期间合计/违规数", "期间合计/合规率"]
    assert rows and all(isinstance(r[2], int) or r[2] in ("不适用", "—") for r in rows)
    assert ws["A1"].value == "及时存储：各单位合规率（2025年7月）"  # one month: not 按月


def test_count_headers_are_not_broken_mid_word(year_zh):
    """判定事项数 and 上期得分 printed on one line, not 判定事项 over 数."""
    _, wb = year_zh
    for name in ("分类合规率", "及时存储"):
        ws = wb[name]
        judged = [i for i, h in enumerate(header(ws), 1) if h and h.endswith("/判定事项数")]
        assert judged and all(ws.column_dimensions[get_column_letter(i)].width >= tables.display_width("判定事项数")
                              for i in judged)
    ws = wb["汇总"]
    for name in ("上期得分",):  # it was 上期得 over 分
        assert ws.column_dimensions[get_column_letter(header(ws).index(name) + 1)].width >= tables.display_width(name)


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
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        pages = text.split("\f")
        # the cover first, the summary with its signature lines, numbered pages
        assert "行政执法全过程记录考核表" in pages[0] and "填报单位：" in pages[0]
        assert any("考核汇总" in p and "负责人：" in p for p in pages) and f"共 {len(pages) - 1} 页" in pages[0]


def test_the_workbook_shades_red_below_the_dashboard_s_threshold(snapshot, tmp_path, monkeypatch):
    """One red for a rate: the setting rate_red, as on the dashboard (dashboards.status)."""
    monkeypatch.setenv("RECWATCH_RATE_RED", "0.8")
    write_workbook(snapshot, "2025", tmp_path / "red.xlsx")
    ws = load_workbook(tmp_path / "red.xlsx")["分类合规率"]
    formulas = [f for cf in ws.conditional_formatting for r in cf.rules for f in r.formula]
    reds = [f for f in formulas if f.count("ISNUMBER") == 1]  # the red rule (the other is the few-judged grey)
    assert reds and all(f.endswith("<0.8)") for f in reds)
    assert any("低于 80%" in str(c.value) for row in ws.iter_rows() for c in row if c.value)
