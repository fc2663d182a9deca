"""Rectification notices (reports/notices.py): each read back with python-docx and reconciled with the
published findings; the layout GB/T 9704-2012 asks for; masking; hostile text; LibreOffice opens one."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import duckdb
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from hypothesis import HealthCheck, given, settings

from core.output import safe_text
from core.privacy import mask
from orchestration.cli import main
from reports import gongwen
from reports.citations import citation_order
from reports.labels import nl
from reports.notices import UnitFindings, citations_text, count, file_name, write_notices

from attacks import hostile_text

DATE = dt.date(2026, 1, 20)  # the notices' date (成文日期) throughout


@pytest.fixture(scope="module")
def year(snapshot, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("notices")
    summary = write_notices(snapshot, "2025", out, date=DATE)
    return summary | {"docs": {Path(p).name.split("_")[0]: docx.Document(p) for p in summary["paths"]}}


def texts(doc) -> list[str]:
    """Every run's text of the document's body, in order."""
    return [t.text for t in doc.element.body.iter(qn("w:t"))]


def annex_rows(doc) -> list[tuple[str, list[str]]]:
    """The annex's rows under its heading row: ('group', [text]) for a rule's heading row, ('finding',
    [cell texts]) for a finding."""
    rows = []
    for tr in doc.tables[0]._tbl.tr_lst[1:]:
        cells = ["\n".join("".join(t.text if t.tag == qn("w:t") else "\n" for t in p.iter(qn("w:t"), qn("w:br")))
                           for p in tc.iter(qn("w:p"))) for tc in tr.tc_lst]
        rows.append(("group" if tr.xpath("./w:tc/w:tcPr/w:gridSpan") else "finding", cells))
    return rows


def body_paragraphs(doc) -> list:
    return [p for p in doc.paragraphs if p.text.strip()]


def unit_names(mart) -> dict[str, str]:
    return dict(mart.execute("select unit_id, unit_name from dim_units").fetchall())


def test_one_notice_for_each_unit_with_findings_and_none_for_a_unit_without(snapshot, year, mart, tmp_path):
    names = unit_names(mart)
    with_findings = {u for (u,) in mart.execute("select distinct unit_id from mart_findings where occurred_at "
                                                ">= '2025-01-01' and occurred_at < '2026-01-01'").fetchall()}
    assert set(year["docs"]) == with_findings == set(names) and year["notices"] == len(names) > 1
    assert sorted(Path(p).name for p in year["paths"]) == sorted(
        f"{u}_{names[u]}_整改通知书_2025.docx" for u in names)
    # a unit whose findings are gone gets a notice only for its cases a review asked to put right
    copy = tmp_path / "wh.published.duckdb"
    shutil.copy(snapshot, copy)
    quiet = sorted(names)[-1]
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from fct_violations where unit_id = ?", [quiet])
        con.execute("""update mart_spot_check_ledger set conclusion = 'failed', review_status = 'failed',
                           rectification_status = 'overdue', rectify_due_at = timestamp '2025-12-11', problems = '卷内目录缺失'
                       where unit_id = ? and period = '2025' and draw_rank = 1""", [quiet])
    reviewed = write_notices(copy, "2025", tmp_path / "reviewed", date=DATE)
    (only,) = [p for p in reviewed["paths"] if Path(p).name.startswith(quiet)]
    doc = docx.Document(only)
    assert "件案卷需整改" in doc.paragraphs[3].text and not doc.tables  # it opens on the review; no annex
    assert any("存在问题：卷内目录缺失。整改期限2025年12月10日，逾期未整改。" in p.text for p in doc.paragraphs)
    # with neither, no notice
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from mart_spot_check_ledger where unit_id = ?", [quiet])
    summary = write_notices(copy, "2025", tmp_path / "out", date=DATE)
    assert summary["notices"] == len(names) - 1 and summary["units"] == len(names)
    assert not any(Path(p).name.startswith(quiet) for p in summary["paths"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(Path(p).name for p in summary["paths"])


def test_title_and_addressee_name_the_unit_in_the_standard_s_faces_and_sizes(year, mart):
    names = unit_names(mart)
    for unit, doc in year["docs"].items():
        title, blank, addressee, opening = doc.paragraphs[:4]
        # longer than a line of 20 characters, it breaks after the unit's name, not inside 全过程记录
        assert title.text == f"关于对{names[unit]}\n行政执法全过程记录问题进行整改的通知" and not blank.text
        assert addressee.text == names[unit] + "："
        assert opening.text.startswith("根据《") and "2025年度（2025年1月1日至2025年12月31日）" in opening.text
    doc = year["docs"][sorted(names)[0]]
    title, _, addressee, opening = doc.paragraphs[:4]
    assert title.style.font.size == Pt(22) and title.alignment is None
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asian(title.style) == "方正小标宋简体"
    assert addressee.style.paragraph_format.first_line_indent == 0  # flush left
    body = opening.style
    assert body.name == "Normal" and east_asian(body) == "仿宋_GB2312" and body.font.size == Pt(16)
    fmt = body.paragraph_format
    assert fmt.first_line_indent == Pt(31.5) and fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY  # 2 characters
    # set 0.25 pt closer than Word's 16 pt, 28 characters fill the type area's 156 mm line, and 29 do not
    assert body.element.rPr.xpath("./w:spacing/@w:val") == ["-5"]
    assert 28 * (16 - 0.25) <= gongwen.TYPE_AREA_WIDTH.pt < 29 * (16 - 0.25)
    assert fmt.line_spacing == Twips(579)  # 22 lines on the 225 mm type area
    heading = next(p for p in doc.paragraphs if p.text == "一、存在的问题")
    assert east_asian(heading.style) == "黑体" and heading.style.font.size == Pt(16)
    second = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert east_asian(second.runs[0].style) == "楷体_GB2312" and second.runs[1].style.name == "Default Paragraph Font"
    # where a face is missing, Word takes the stand-in the font table names
    table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml").blob.decode()
    for face, stand_in in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert re.search(f'<w:font w:name="{face}"><w:altName w:val="{stand_in}"/>', table), face


def east_asian(style) -> str | None:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_page_layout_margins_and_page_numbers(year):
    doc = next(iter(year["docs"].values()))
    section = doc.sections[0]
    got = [round(x.mm, 1) for x in (section.page_width, section.page_height, section.top_margin,
                                    section.bottom_margin, section.left_margin, section.right_margin)]
    assert got == [210, 297, 37, 35, 28, 26]  # A4, the 156 × 225 mm type area
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align, inset in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                 (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        p = footer.paragraphs[0]
        assert p.alignment == align and getattr(p.paragraph_format, inset) == Pt(14)  # one 4号 character in
        assert p._p.xpath("./w:fldSimple/@w:instr") == [" PAGE "]
        assert "".join(t.text for t in p._p.iter(qn("w:t"))) == "— 1 —"
        fonts = p._p.xpath("./w:r/w:rPr/w:rFonts")
        assert {f.get(qn("w:eastAsia")) for f in fonts} == {"宋体"}
        assert p._p.xpath("./w:r/w:rPr/w:sz/@w:val") == ["28", "28"]  # 4号, 14 pt


def test_the_annex_reconciles_with_the_findings_of_each_unit_by_rule_and_article(year, mart):
    for unit, doc in year["docs"].items():
        # by rule, then its articles in the regulation's order (第十四条 before 第十五条 and 第二十条)
        want = [r[2:] for r in sorted(mart.execute("""
            select any_value(r.family_sort_order), rule_id, rule_name_zh, coalesce(citation, ''), count(*)
            from mart_findings f join dim_rules r using (rule_id)
            where unit_id = ? and occurred_at >= '2025-01-01' and occurred_at < '2026-01-01'
            group by rule_id, rule_name_zh, coalesce(citation, '')""", [unit]).fetchall(),
            key=lambda r: (r[0], r[1], citation_order(r[3])))]
        rows = annex_rows(doc)
        groups = [cells[0] for kind, cells in rows if kind == "group"]
        assert groups == [nl("group", "zh", rule=rule, citation=citation, n=n) for rule, citation, n in want]
        # under each group's heading row, as many findings as it says, numbered on from the one before
        sizes = [len(list(g)) for g in re.split("G", "".join("G" if k == "group" else "f" for k, _ in rows))[1:]]
        assert sizes == [n for _, _, n in want]
        numbers = [cells[0] for kind, cells in rows if kind == "finding"]
        assert numbers == [str(k) for k in range(1, sum(n for *_, n in want) + 1)]
        media = Counter(line.removeprefix("文件编号：") for kind, cells in rows if kind == "finding"
                        for line in cells[1].split("\n") if line.startswith("文件编号："))
        assert media == Counter(dict(mart.execute("""
            select media_id, count(*) from mart_findings where unit_id = ? and media_id is not null
              and occurred_at >= '2025-01-01' and occurred_at < '2026-01-01' group by all""", [unit]).fetchall()))
    # the body counts them too, by severity, and rule by rule
    unit = sorted(year["docs"])[0]
    n, high, medium, low = mart.execute("""
        select count(*), count(*) filter (where severity = 'high'), count(*) filter (where severity = 'medium'),
               count(*) filter (where severity = 'low')
        from mart_findings where unit_id = ? and occurred_at >= '2025-01-01' and occurred_at < '2026-01-01'""",
                                        [unit]).fetchone()
    opening = year["docs"][unit].paragraphs[3].text
    by = "、".join(f"{label}{k}项" for label, k in (("高", high), ("中", medium), ("低", low)) if k)
    assert f"发现问题{n}项（按严重程度分：{by}）" in opening and (low or "低0项" not in opening)


def test_the_opening_names_the_as_of_date_as_the_workbook_does(year, mart):
    """The day every status is judged at is the workbook's 判定基准日; its 数据截至 is when the data was
    last loaded, another day: the notice must not call the first by the second's name."""
    as_of = mart.execute("select as_of from mart_run").fetchone()[0]
    for doc in year["docs"].values():
        opening = doc.paragraphs[3].text
        assert f"（以{gongwen.date_text(as_of, 'zh')}为判定基准日）" in opening and "数据截至" not in opening


def test_the_annex_table_is_laid_out_for_the_type_area(year):
    doc = next(iter(year["docs"].values()))
    table = doc.tables[0]
    assert [round(c.width.mm) for c in table.columns] == [12, 70, 22, 52] and sum(
        round(c.width.mm) for c in table.columns) == 156
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeated on every page
    assert [c.text for c in table.rows[0].cells] == ["序号", "记录标识", "发生时间", "问题描述"]
    annex = [p.text for p in doc.paragraphs if p.text in ("附件", "问题清单", "附件：问题清单")]
    assert annex == ["附件：问题清单", "附件", "问题清单"]


def test_the_reply_is_due_the_setting_s_days_after_the_notice_and_the_office_signs(snapshot, year, tmp_path,
                                                                                    monkeypatch):
    doc = next(iter(year["docs"].values()))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "请于2026年2月19日前将整改情况书面报送（填报单位）" in body  # 30 days by default; no office set
    signature = [p for p in doc.paragraphs if p.text in ("（填报单位）", "2026年1月20日")]
    assert [p.text for p in signature] == ["（填报单位）", "2026年1月20日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in signature)
    monkeypatch.setenv("RECWATCH_NOTICE_REPLY_DAYS", "10")
    monkeypatch.setenv("RECWATCH_OFFICE_NAME", "永宁县司法局")
    summary = write_notices(snapshot, "2025Q3", tmp_path, date=dt.date(2026, 12, 28))
    body = "\n".join(p.text for p in docx.Document(summary["paths"][0]).paragraphs)
    assert "请于2027年1月7日前将整改情况书面报送永宁县司法局" in body and "\n永宁县司法局\n2026年12月28日\n" in body


def test_a_notice_is_not_dated_before_the_day_its_findings_are_judged_as_of(snapshot, mart, tmp_path):
    as_of = mart.execute("select as_of from mart_run").fetchone()[0]
    with pytest.raises(ValueError, match="before"):
        write_notices(snapshot, "2025", tmp_path / "early", date=as_of - dt.timedelta(days=1))
    assert not (tmp_path / "early").exists()
    assert write_notices(snapshot, "2025-07", tmp_path / "same", date=as_of)["notices"]


def test_signature_places_the_date_two_characters_right_of_the_name_s_start():
    """GB/T 9704-2012 7.3.5.2, counted in characters from the right edge of the type area."""
    for office, date in (("永宁县人民政府办公室", "2026年12月6日"), ("（填报单位）", "2026年1月20日")):
        doc = gongwen.new_document("zh")
        gongwen.signature(doc, office, date)
        name, day = (p.paragraph_format.right_indent.pt / gongwen.CHAR for p in doc.paragraphs[-2:])
        name_start, date_start = name + gongwen.width_in_chars(office), day + gongwen.width_in_chars(date)
        assert date_start == pytest.approx(name_start - 2, abs=0.01) and min(name, day) >= 2 - 0.01  # whole twips


def test_party_names_are_masked_unless_unmasked_which_is_logged(snapshot, year, mart, tmp_path, caplog):
    full = dict(mart.execute("select case_id, party_name from dim_cases").fetchall())
    names = {n for n in full.values() if n and len(n) >= 3}
    seen = 0
    for doc in year["docs"].values():
        for kind, cells in annex_rows(doc):
            lines = cells[1].split("\n") if kind == "finding" else []
            case = next((x.removeprefix("案件编号：") for x in lines if x.startswith("案件编号：")), None)
            party = next((x.removeprefix("当事人：") for x in lines if x.startswith("当事人：")), None)
            if party is not None:
                assert party == mask(full[case]) and party.endswith("某某")
                seen += 1
        assert not names & set(texts(doc))
    assert seen > 0
    caplog.set_level("WARNING", logger="recwatch.privacy")
    summary = write_notices(snapshot, "2025", tmp_path, unmask=True, date=DATE)
    logged = [r.getMessage() for r in caplog.records if r.name == "recwatch.privacy"]
    assert len(logged) == 1 and f"rectification notices in {tmp_path} (2025)" in logged[0]
    shown = {x.removeprefix("当事人：") for p in summary["paths"] for kind, cells in annex_rows(docx.Document(p))
             if kind == "finding" for x in cells[1].split("\n") if x.startswith("当事人：")}
    assert shown and shown <= set(full.values())


def test_english_notices_read_as_english(snapshot, mart, tmp_path):
    summary = write_notices(snapshot, "2025-07", tmp_path, lang="en", date=DATE)
    doc = docx.Document(summary["paths"][0])
    unit = Path(summary["paths"][0]).name.split("_")[0]
    name = unit_names(mart)[unit]
    assert Path(summary["paths"][0]).name.endswith("_rectification-notice_2025-07.docx")
    assert doc.paragraphs[0].text == f"Notice to {name} to rectify problems in its whole-process recording of law " \
                                     "enforcement"
    assert doc.paragraphs[2].text == f"To {name}:" and "(1 July 2025 to 31 July 2025)" in doc.paragraphs[3].text
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["No.", "Record ids", "Occurred", "Problem"]
    assert "Send (oversight office) a written report of the rectification by 19 February 2026" in \
        "\n".join(p.text for p in doc.paragraphs)
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"
    assert east_asian(doc.styles["Normal"]) == "仿宋_GB2312"  # the Chinese in it (names, citations)
    # Chinese articles keep Chinese punctuation; English counts their thousands
    assert citations_text(["《办法》第十条", "《办法》第九条", "《制度》第三条"], "en") == "《办法》第九条、第十条, 《制度》第三条"
    assert (count(1542, "en"), count(1542, "zh")) == ("1,542", "1542")


def test_one_finding_is_one_finding_in_english(snapshot, mart, tmp_path):
    """1 problem and 1 finding, not 1 problems: a unit with a single finding in the notice's annex
    and the workbook's heading."""
    from openpyxl import load_workbook

    from reports.workbook import write_workbook

    copy = tmp_path / "wh.published.duckdb"
    shutil.copy(snapshot, copy)
    unit = sorted(unit_names(mart))[0]
    with duckdb.connect(str(copy)) as con:
        con.execute("""delete from fct_violations where unit_id = $u and violation_id <> (
            select min(violation_id) from fct_violations where unit_id = $u
              and occurred_at >= '2025-01-01' and occurred_at < '2026-01-01')""", {"u": unit})
    summary = write_notices(copy, "2025", tmp_path / "n", unit=unit, lang="en", date=DATE)
    doc = docx.Document(summary["paths"][0])
    assert "2025: 1 problem" in [p.text for p in doc.paragraphs]
    write_workbook(copy, "2025", tmp_path / "en.xlsx", unit=unit, lang="en")
    heads = [r[0] for r in load_workbook(tmp_path / "en.xlsx")["Findings"].iter_rows(min_row=5, values_only=True)
             if isinstance(r[0], str)]
    assert any(h.startswith(f"{unit_names(mart)[unit]} ({unit}): 1 finding (") for h in heads)


def test_the_signature_is_never_on_a_page_without_the_body_s_text(year):
    """GB/T 9704-2012 7.3.5.4: the body's last paragraph, the annex's name, the lines between and the
    signature are kept on one page (an English notice put its signature alone on page 4)."""
    for doc in year["docs"].values():
        paragraphs = doc.paragraphs
        note = next(i for i, p in enumerate(paragraphs) if p.text == "附件：问题清单")
        date = next(i for i, p in enumerate(paragraphs) if p.text == "2026年1月20日")
        assert paragraphs[note - 2].text.startswith("（三）按时书面报告。") and date == note + 3
        assert all(p.paragraph_format.keep_with_next for p in paragraphs[note - 2:date])


def test_one_unit_and_the_units_under_it(snapshot, mart, tmp_path):
    root, = mart.execute("select unit_id from dim_units where parent_unit_id is null").fetchone()
    leaf, = mart.execute("select unit_id from dim_units where parent_unit_id is not null order by unit_id "
                         "limit 1").fetchone()
    assert write_notices(snapshot, "2025", tmp_path / "leaf", unit=leaf, date=DATE)["notices"] == 1
    assert write_notices(snapshot, "2025", tmp_path / "all", unit=root, date=DATE)["notices"] == len(unit_names(mart))
    with pytest.raises(ValueError, match="unknown unit"):
        write_notices(snapshot, "2025", tmp_path / "x", unit="NO-SUCH-UNIT")
    with pytest.raises(ValueError, match="invalid period"):
        write_notices(snapshot, "2025-13", tmp_path / "x")


@pytest.fixture(scope="module")
def hostile_snapshot(snapshot, tmp_path_factory) -> tuple[Path, str, str]:
    """A copy of the snapshot whose texts a test may change: it, a leaf unit, and one of its findings
    with a case whose party is named."""
    copy = tmp_path_factory.mktemp("hostile") / "wh.published.duckdb"
    shutil.copy(snapshot, copy)
    with duckdb.connect(str(copy)) as con:
        unit, violation = con.execute("""
            select unit_id, violation_id from mart_findings where party_name is not null and occurred_at >= '2025-07-01'
              and occurred_at < '2025-08-01' and unit_id in (select unit_id from dim_units where parent_unit_id is not null)
            order by violation_id limit 1""").fetchone()
    return copy, unit, violation


@given(name=hostile_text, party=hostile_text, detail=hostile_text)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_hostile_unit_and_party_names_and_details_still_make_a_document_that_reads_back(
        hostile_snapshot, tmp_path_factory, name, party, detail):
    """Control characters XML forbids, formula starts, overlong text: the notice opens and reads back
    with every text as core.output.safe_text makes it, and its file stays in the folder asked for."""
    copy, unit, violation = hostile_snapshot
    with duckdb.connect(str(copy)) as con:
        con.execute("update dim_units set unit_name = ? where unit_id = ?", [name, unit])
        con.execute("update dim_cases set party_name = ? where case_id = (select case_id from fct_violations "
                    "where violation_id = ?)", [party, violation])
        con.execute("update fct_violations set detail_zh = ? where violation_id = ?", [detail, violation])
    out = tmp_path_factory.mktemp("out")
    summary = write_notices(copy, "2025-07", out, unit=unit, unmask=True, date=DATE)
    path, = (Path(p) for p in summary["paths"])
    assert path.parent == out and path.suffix == ".docx"
    doc = docx.Document(path)

    # python-docx writes a carriage return in the title as a line break
    # (and a title longer than a line breaks after the unit's name)
    text, first = nl("title", "zh", unit=name), "关于对" + name
    whole, head, rest = (safe_text(t).replace("\r", "\n") for t in (text, first, text[len(first):]))
    assert doc.paragraphs[0].text in (whole, head + "\n" + rest)
    rows = [cells for kind, cells in annex_rows(doc) if kind == "finding"]
    assert len(rows) == summary["findings"] > 0
    # an id's line is made safe whole (its label first), the problem's text alone
    assert not party or any(safe_text("当事人：" + party) in cells[1] for cells in rows)
    assert not safe_text(detail) or safe_text(detail) in [cells[3] for cells in rows]


@pytest.mark.parametrize("unit_name", ["../../escape", "/etc/passwd", "..", "a/../../b", "C:\\evil\\x", "\x0b\x00",
                                       "con", "名" * 300])
def test_file_names_stay_in_the_folder_whatever_the_unit_is_called(snapshot, tmp_path, unit_name):
    copy = tmp_path / "wh.published.duckdb"
    shutil.copy(snapshot, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update dim_units set unit_name = ?", [unit_name])  # every unit the same hostile name
    out = tmp_path / "out"
    summary = write_notices(copy, "2025-07", out, date=DATE)
    paths = [Path(p) for p in summary["paths"]]
    assert len(set(paths)) == summary["notices"] == len(list(out.iterdir()))
    assert all(p.parent == out and len(p.name.encode()) <= 240 and p.name.endswith(".docx") for p in paths)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != out and p != copy]


def test_units_whose_names_would_make_one_file_name_get_two():
    taken: set[str] = set()
    names = [file_name(UnitFindings(unit, "队", ""), "2025", "zh", taken) for unit in ("U/1", "U:1", "u/1")]
    assert names == ["U_1_队_整改通知书_2025.docx", "U_1_2_队_整改通知书_2025.docx", "u_1_3_队_整改通知书_2025.docx"]


def test_the_command_says_how_many_were_written_where_and_how_long_it_took(snapshot, tmp_path):
    out = tmp_path / "notices"
    result = CliRunner().invoke(main, ["notices", "--warehouse", str(snapshot.with_name("wh.duckdb")),
                                       "--period", "2025Q3", "--date", "2026-01-20", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"wrote 6 notices \([\d,]+ findings\) to {re.escape(str(out))} in [\d.]+s\n", result.output)
    assert len(list(out.glob("*.docx"))) == 6
    bad = CliRunner().invoke(main, ["notices", "--warehouse", str(snapshot.with_name("wh.duckdb")),
                                    "--period", "2025", "--unit", "NO-SUCH-UNIT", "-o", str(out)])
    assert bad.exit_code == 2 and "unknown unit" in bad.output


def to_pdf(docx_path: Path, tmp_path: Path) -> tuple[Path, subprocess.CompletedProcess]:
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                          capture_output=True, text=True, timeout=180)
    return docx_path.with_suffix(".pdf"), done


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_a_notice_and_converts_it_to_pdf(snapshot, mart, tmp_path):
    # LibreOffice installed for spreadsheets alone (libreoffice-calc) opens no Word document at all
    docx.Document().save(tmp_path / "plain.docx")
    if not to_pdf(tmp_path / "plain.docx", tmp_path)[0].exists():
        pytest.skip("this LibreOffice has no Writer (libreoffice-writer) to open Word documents")
    leaf, = mart.execute("select unit_id from dim_units where parent_unit_id is not null order by unit_id "
                         "limit 1").fetchone()
    path = Path(write_notices(snapshot, "2025-07", tmp_path, unit=leaf, date=DATE)["paths"][0])
    notice = path.rename(tmp_path / "notice.docx")  # soffice's --outdir names the PDF after it
    pdf, done = to_pdf(notice, tmp_path)
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups()
        assert pages >= 2 and [round(float(x) / 72 * 25.4) for x in size] == [210, 297]  # body and annex, A4


def test_chinese_heading_numbers_and_dates():
    assert [gongwen.chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == \
        ["一", "九", "十", "十一", "二十", "二十一", "九十九"]
    assert gongwen.date_text(dt.date(2026, 12, 6), "zh") == "2026年12月6日"
    assert gongwen.date_text(dt.date(2026, 1, 20), "en") == "20 January 2026"


def test_the_articles_of_a_rule_name_each_regulation_once():
    assert citations_text(["《办法》第九条第(一)项", "《办法》第十条", "《制度》第三条", "《办法》第八条至第十八条"], "zh") == \
        "《办法》第八条至第十八条、第九条第(一)项、第十条、《制度》第三条"


def test_the_articles_of_a_rule_are_in_the_regulation_s_order_each_said_once():
    """As a clerk cites them: 第八条 before 第十条 (not in the order of the characters), an article
    two findings share named once, the next item of an article without the article again."""
    r = "《办法》"
    assert citations_text([r + "第九条第（三）项", r + "第九条第（二）项", r + "第八条第（一）项、第十六条", r + "第十五条",
                           r + "第十条第（五）项、第十六条", r + "第二十三条第（五）项、第（六）项", r + "第九条"], "zh") == \
        "《办法》第八条第（一）项、第九条、第九条第（二）项、第（三）项、第十条第（五）项、第十五条、第十六条、" \
        "第二十三条第（五）项、第（六）项"
    assert citations_text(["《办法》"], "en") == "《办法》"
