"""The appraisal workbook (年度考核表) in Excel: rules.md §6, contract §4 `recwatch report`.

Reads the published snapshot only (orchestration.publish), never the warehouse the ETL writes.
Sheets, in order: cover (说明), scorecard (汇总), one sheet per rule family with its rate by unit and
month, findings (问题清单, split when it would pass Excel's row limit) and the spot-check ledger
(抽查台账). The whole workbook is written in openpyxl's write-only mode; the findings rows, too many
for openpyxl's per-cell Python, are built by DuckDB and spliced into their sheets (reports.sheetrows).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from core.i18n import CODES, code_label, enum_label
from core.output import safe_value
from core.privacy import mask_sql
from core.sql import lit

from . import sheetrows
from .labels import source_column, wl

# Excel's sheet limit (rows, header included). A module constant so a test can lower it.
EXCEL_MAX_ROWS = 1_048_576
# Rows above the data on every table sheet: a title row and the header row.
HEADER_ROWS = 2
# Column widths of the findings are measured on this many first rows.
WIDTH_SAMPLE_ROWS = 500

# Rule families in the order the workbook shows them (mart_unit_period_scorecard's rate columns).
FAMILIES = ("upload", "av_coverage", "retention", "archiving", "documents", "devices", "access",
            "integrity", "start", "labelling", "evidence")

FMT_RATE = "0.0%"
FMT_SCORE = "0.0"
FMT_CHANGE = "+0.0;-0.0;0.0"
FMT_INT = "#,##0"
FMT_DATETIME = "yyyy-mm-dd hh:mm"
FMT_DATE = "yyyy-mm-dd"
MAX_WIDTH = 50
PAPER_A4 = "9"  # ECMA-376 paperSize code

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
TITLE_FONT = Font(bold=True, size=14)
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
RATE_THRESHOLD = 0.9


# ----------------------------------------------------------------------------------------------
# periods

@dataclass(frozen=True)
class Period:
    kind: str  # year | quarter | month (mart period_type)
    code: str  # '2025' | '2025Q3' | '2025-07' (mart period)
    start: dt.date
    end: dt.date  # exclusive
    months: tuple[str, ...]
    ledger_kind: str  # the spot-check ledger has quarters and years: a month uses its quarter
    ledger_code: str

    def label(self, lang: str) -> str:
        year = self.start.year
        if self.kind == "year":
            return wl("period_year", lang, year=year)
        if self.kind == "quarter":
            return wl("period_quarter", lang, year=year, q=(self.start.month + 2) // 3)
        return wl("period_month", lang, year=year, month=self.start.month)


def _add_months(day: dt.date, n: int) -> dt.date:
    m = day.month - 1 + n
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def parse_period(period: str) -> Period:
    """'2025' (year), '2025Q3' (quarter) or '2025-07' (month); anything else is a ValueError."""
    text = str(period).strip()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        start, n, kind = dt.date(year, 1, 1), 12, "year"
        ledger = ("year", text)
    elif m := re.fullmatch(r"(\d{4})[Qq]([1-4])", text):
        year, q = int(m[1]), int(m[2])
        start, n, kind = dt.date(year, 3 * q - 2, 1), 3, "quarter"
        text = f"{year}Q{q}"
        ledger = ("quarter", text)
    elif m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        year, month = int(m[1]), int(m[2])
        start, n, kind = dt.date(year, month, 1), 1, "month"
        ledger = ("quarter", f"{year}Q{(month + 2) // 3}")
    else:
        raise ValueError(f"invalid period {period!r}: expected a year (2025), a quarter (2025Q3) "
                         f"or a month (2025-07)")
    if year < 1900:
        raise ValueError(f"invalid period {period!r}: year out of range")
    months = tuple(_add_months(start, i).strftime("%Y-%m") for i in range(n))
    return Period(kind, text, start, _add_months(start, n), months, *ledger)


# ----------------------------------------------------------------------------------------------
# sheet writing

def display_width(value) -> int:
    """Width in Excel character units: CJK and other wide characters count as 2."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return 8
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


@dataclass
class Col:
    header: str
    fmt: str | None = None  # number format for the cells
    width: int | None = None  # fixed width, else measured


@dataclass
class Written:
    names: list[str] = field(default_factory=list)
    rows: int = 0
    sheets: list = field(default_factory=list)  # (worksheet, data rows on it)


def sheet_names(base: str, n_sheets: int) -> list[str]:
    return [base] + [f"{base}({i})" for i in range(2, n_sheets + 1)]


def rows_per_sheet() -> int:
    return EXCEL_MAX_ROWS - HEADER_ROWS


def _sheet_setup(ws, cols: list[Col], sample: list[tuple], title: str) -> None:
    """Column widths, frozen header, print set-up: all before the first row is written."""
    for i, col in enumerate(cols, 1):
        if col.width:
            width = col.width
        else:
            width = max([min(display_width(col.header), 24)] + [display_width(r[i - 1]) for r in sample])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), MAX_WIDTH)
    ws.freeze_panes = f"A{HEADER_ROWS + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    ws.print_title_rows = f"1:{HEADER_ROWS}"
    ws.oddFooter.center.text = "&P / &N"
    ws.row_dimensions[1].height = 20
    ws.row_dimensions[HEADER_ROWS].height = 32  # headers wrap onto two lines where they must
    ws.append([_cell(ws, title, font=TITLE_FONT)])
    ws.append([_cell(ws, c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGN) for c in cols])


def _cell(ws, value, fmt=None, font=None, fill=None, alignment=None):
    cell = WriteOnlyCell(ws, value=safe_value(value))
    if fmt:
        cell.number_format = fmt
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def write_table(wb: Workbook, base: str, title: str, cols: list[Col], rows: list[tuple],
                sample: list[tuple] | None = None, n_rows: int | None = None) -> Written:
    """Write `rows` under a title and header, splitting into `base`, `base(2)`, … whenever a sheet
    would pass EXCEL_MAX_ROWS. With `n_rows` instead, the sheets are laid out empty for that many
    rows, which sheetrows.splice puts in after saving. Widths are measured on `sample` (all rows if
    None)."""
    per_sheet = rows_per_sheet()
    total = len(rows) if n_rows is None else n_rows
    counts = [min(per_sheet, total - first) for first in range(0, total, per_sheet)] or [0]
    out = Written(names=sheet_names(base, len(counts)), rows=total)
    formats = [(i, c.fmt) for i, c in enumerate(cols) if c.fmt]
    for k, (name, n) in enumerate(zip(out.names, counts)):
        ws = wb.create_sheet(name)
        _sheet_setup(ws, cols, rows if sample is None else sample, title)
        for row in rows[k * per_sheet:(k + 1) * per_sheet]:
            row = [safe_value(v) for v in row]
            for i, fmt in formats:
                if row[i] is not None:
                    row[i] = _cell(ws, row[i], fmt)
            ws.append(row)
        ws.auto_filter.ref = f"A{HEADER_ROWS}:{get_column_letter(len(cols))}{HEADER_ROWS + n}"
        out.sheets.append([ws, n])
    return out


def _flag_low_rates(ws, col_idx: list[int], first: int, last: int) -> None:
    """Red fill for rates below RATE_THRESHOLD (blank cells, nothing judged, stay white)."""
    for i in col_idx:
        letter = get_column_letter(i)
        ws.conditional_formatting.add(
            f"{letter}{first}:{letter}{last}",
            FormulaRule(formula=[f"AND(ISNUMBER({letter}{first}),{letter}{first}<{RATE_THRESHOLD})"],
                        fill=BAD_FILL, font=BAD_FONT))


# ----------------------------------------------------------------------------------------------
# data

def _family_names(con, lang: str) -> dict[str, str]:
    return dict(con.execute(f"select family, name_{'zh' if lang == 'zh' else 'en'} from dim_rule_families "
                            "order by sort_order").fetchall())


def _scope(con, unit: str | None) -> tuple[list[str], tuple | None]:
    if unit is None:
        return [r[0] for r in con.execute("select unit_id from int_units order by unit_id").fetchall()], None
    found = con.execute("select unit_id, unit_name from int_units where unit_id = ?", [unit]).fetchone()
    if found is None:
        raise ValueError(f"unknown unit {unit!r}: not in int_units of the snapshot")
    units = con.execute("""
        with recursive scope(unit_id) as (
            select unit_id from int_units where unit_id = $unit
            union
            select u.unit_id from int_units u join scope s on u.parent_unit_id = s.unit_id)
        select unit_id from scope order by unit_id""", {"unit": unit}).fetchall()
    return [r[0] for r in units], found


def _records(con, sql: str, params) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


# ----------------------------------------------------------------------------------------------
# the workbook

def write_workbook(snapshot: Path, period: str, out: Path, unit: str | None = None, lang: str = "zh",
                   unmask: bool = False) -> dict:
    """Write the appraisal workbook for `period` ('2025', '2025Q3', '2025-07') from the published
    snapshot to `out`; returns {path, sheets, rows (per sheet), split, seconds, bytes}."""
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise ValueError(f"invalid lang {lang!r}: expected 'zh' or 'en'")
    per = parse_period(period)
    snapshot, out = Path(snapshot), Path(out)
    if not snapshot.exists():
        raise FileNotFoundError(f"snapshot {snapshot} does not exist (run `recwatch run` first)")
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        summary = _write(con, per, out, unit, lang, unmask)
    finally:
        con.close()
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    summary["bytes"] = out.stat().st_size
    return summary


def _write(con, per: Period, out: Path, unit: str | None, lang: str, unmask: bool) -> dict:
    units, root = _scope(con, unit)
    families = _family_names(con, lang)
    purpose = f"workbook {out.name} ({per.code})"
    zh = lang == "zh"
    params = {"units": units}

    # --- data, small sheets first (held in memory), findings counted now and streamed later
    run = con.execute("select as_of, as_of_end_at, freeze_grace_days, spot_check_per_unit, spot_check_seed "
                      "from int_run_parameters").fetchone()
    as_of, as_of_end, grace, per_unit, seed = run
    score_rows = _records(con, """
        select * from mart_unit_period_scorecard
        where period_type = $kind and period = $code and list_contains($units, unit_id)
        order by parent_unit_id nulls first, rank, unit_id""",
        params | {"kind": per.kind, "code": per.code})
    shown_families = [f for f in FAMILIES if any(r.get(f"{f}_rate") is not None for r in score_rows)]

    month_rates = con.execute("""
        select r.family, r.unit_id, u.unit_name, r.period_type, r.period,
               sum(r.compliant) / sum(r.judged) as rate
        from mart_unit_rule_period_rates r join int_units u using (unit_id)
        where r.level = 'violation' and list_contains($units, r.unit_id)
          and ((r.period_type = 'month' and list_contains($months, r.period))
               or (r.period_type = $kind and r.period = $code))
        group by all having sum(r.judged) > 0""",
        params | {"months": list(per.months), "kind": per.kind, "code": per.code}).fetchall()
    judged_families = [f for f in FAMILIES if any(r[0] == f for r in month_rates)]

    ledger_sql = f"""
        select l.unit_id, u.unit_name, l.period, l.draw_rank, l.closed_cases, l.case_id,
               {mask_sql("c.party_name", unmask, purpose + " spot-check ledger")} as party_name,
               l.case_type, l.procedure, l.opened_at, l.closed_at, l.archived_at, l.seed, l.draw_key
        from mart_spot_check_ledger l
        left join int_units u using (unit_id)
        left join stg_cases c using (case_id)
        where l.period_type = $kind and l.period = $code and list_contains($units, l.unit_id)
        order by l.unit_id, l.draw_rank"""
    ledger = con.execute(ledger_sql, params | {"kind": per.ledger_kind, "code": per.ledger_code}).fetchall()
    ledger = [r[:7] + (enum_label("case_type", r[7], lang) if r[7] else None,
                       enum_label("procedure", r[8], lang) if r[8] else None) + r[9:] + (None, None, None, None)
              for r in ledger]

    window = {"start": per.start, "end": per.end}
    n_findings = con.execute("""
        select count(*) from fct_violations
        where occurred_at >= $start and occurred_at < $end and list_contains($units, unit_id)""",
        params | window).fetchone()[0]
    n_finding_sheets = max(1, math.ceil(n_findings / rows_per_sheet()))

    frozen = all(r["is_frozen"] for r in score_rows) if score_rows else (
        dt.datetime.combine(per.end, dt.time()) + dt.timedelta(days=grace) <= as_of_end)
    revisions = con.execute("""
        select count(*) from mart_scorecard_revisions
        where period_type = $kind and period = $code and list_contains($units, unit_id)""",
        params | {"kind": per.kind, "code": per.code}).fetchone()[0]

    wb = Workbook(write_only=True)
    rows_out: dict[str, int] = {}
    names = {
        "cover": wl("sheet_cover", lang), "scorecard": wl("sheet_scorecard", lang),
        "findings": sheet_names(wl("sheet_findings", lang), n_finding_sheets), "ledger": wl("sheet_ledger", lang),
        "families": {f: families[f] for f in judged_families},
    }
    plabel = per.label(lang)

    # --- 1. cover
    split = {wl("sheet_findings", lang): names["findings"]} if n_finding_sheets > 1 else {}
    _write_cover(con, wb, per, plabel, lang, unmask, units, root, as_of, grace, frozen, revisions, split,
                 names, per_unit, seed, families, shown_families)

    # --- 2. scorecard
    cols = [Col(source_column("units", "unit_id", lang)), Col(source_column("units", "unit_name", lang)),
            Col(wl("col_parent", lang)), Col(wl("col_profile", lang))]
    cols += [Col(wl("col_rate", lang, family=families[f]), FMT_RATE, width=10 if zh else 12) for f in shown_families]
    cols += [Col(wl("col_judged", lang), FMT_INT), Col(wl("col_violations", lang), FMT_INT),
             Col(wl("col_score", lang), FMT_SCORE, 8), Col(wl("col_rank", lang), width=8),
             Col(wl("col_rank_of", lang), width=8), Col(wl("col_previous_score", lang), FMT_SCORE, 8),
             Col(wl("col_score_change", lang), FMT_CHANGE, 8), Col(wl("col_frozen", lang), width=8),
             Col(wl("col_appraisal_score", lang), FMT_SCORE, 12)]
    yes, no = wl("yes", lang), wl("no", lang)
    data = []
    for r in score_rows:
        row = [r["unit_id"], r["unit_name"], r["parent_unit_id"], r["profile_id"]]
        row += [r[f"{f}_rate"] for f in shown_families]
        row += [r["judged"], r["violations"], r["score"], r["rank"], r["rank_of"], r["previous_score"],
                r["score_change"], yes if r["is_frozen"] else no, r["appraisal_score"]]
        data.append(tuple(row))
    w = write_table(wb, names["scorecard"], wl("title_scorecard", lang, period=plabel), cols, data)
    rows_out[names["scorecard"]] = w.rows
    ws = w.sheets[0][0]
    first, last = HEADER_ROWS + 1, HEADER_ROWS + max(len(data), 1)
    rate_cols = list(range(5, 5 + len(shown_families)))
    score_col = 5 + len(shown_families) + 2
    change_col = score_col + 4
    _flag_low_rates(ws, rate_cols, first, last)
    sl = get_column_letter(score_col)
    ws.conditional_formatting.add(f"{sl}{first}:{sl}{last}", ColorScaleRule(
        start_type="min", start_color="F8696B", mid_type="percentile", mid_value=50, mid_color="FFEB84",
        end_type="max", end_color="63BE7B"))
    cl = get_column_letter(change_col)
    ws.conditional_formatting.add(f"{cl}{first}:{cl}{last}", FormulaRule(
        formula=[f"AND(ISNUMBER({cl}{first}),{cl}{first}<0)"], font=BAD_FONT))
    if data:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = wl("chart_scores", lang)
        chart.y_axis.title = wl("col_score", lang)
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.legend = None
        chart.x_axis.scaling.orientation = "maxMin"  # first unit at the top, as in the table
        chart.add_data(Reference(ws, min_col=score_col, min_row=HEADER_ROWS, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
        chart.width, chart.height = 24, max(7.5, 1 + 0.6 * len(data))
        ws.add_chart(chart, f"B{last + 3}")

    # --- 3. one sheet per rule family
    for fam in judged_families:
        by_unit: dict[str, dict] = {}
        for f, unit_id, unit_name, ptype, pcode, rate in month_rates:
            if f != fam:
                continue
            entry = by_unit.setdefault(unit_id, {"name": unit_name})
            if ptype == per.kind and pcode == per.code:
                entry["total"] = rate
            if ptype == "month":
                entry[pcode] = rate
        cols = [Col(source_column("units", "unit_id", lang)), Col(source_column("units", "unit_name", lang))]
        cols += [Col(m, FMT_RATE, 9) for m in per.months] + [Col(wl("col_period_total", lang), FMT_RATE, 10)]
        data = [(u, e["name"], *[e.get(m) for m in per.months], e.get("total"))
                for u, e in sorted(by_unit.items())]
        w = write_table(wb, families[fam], wl("title_family", lang, family=families[fam], period=plabel),
                        cols, data)
        rows_out[families[fam]] = w.rows
        ws = w.sheets[0][0]
        last = HEADER_ROWS + max(len(data), 1)
        _flag_low_rates(ws, list(range(3, 4 + len(per.months))), HEADER_ROWS + 1, last)
        chart = LineChart()
        chart.title = wl("chart_family", lang, family=families[fam])
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.add_data(Reference(ws, min_col=2, max_col=2 + len(per.months), min_row=HEADER_ROWS + 1, max_row=last),
                       from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=3, max_col=2 + len(per.months), min_row=HEADER_ROWS,
                                       max_row=HEADER_ROWS))
        chart.width, chart.height = 24, 10
        ws.add_chart(chart, f"B{last + 3}")

    # --- 4. findings, streamed
    name_col = "name_zh" if zh else "name_en"
    detail_col = "detail_zh" if zh else "detail_en"
    cols = [Col(wl("col_violation_id", lang)), Col(wl("col_rule_id", lang), width=12),
            Col(wl("col_rule_name", lang)), Col(wl("col_severity", lang), width=8),
            Col(source_column("units", "unit_id", lang)), Col(source_column("units", "unit_name", lang)),
            Col(source_column("officers", "officer_id", lang)), Col(source_column("cases", "case_id", lang)),
            Col(source_column("cases", "party_name", lang)), Col(source_column("acts", "act_id", lang)),
            Col(source_column("media", "media_id", lang)), Col(source_column("devices", "device_id", lang)),
            Col(wl("col_occurred_at", lang), FMT_DATETIME, 16), Col(wl("col_detail", lang)),
            Col(wl("col_citation", lang))]
    severity = " ".join(f"when {lit(code)} then {lit(code_label('severity', code, lang))}"
                        for code in CODES["severity"])
    findings_sql = f"""
        select v.violation_id, v.rule_id, r.{name_col} as rule_name,
               case v.severity {severity} else v.severity end as severity, v.unit_id, u.unit_name,
               v.officer_id, v.case_id, {mask_sql("c.party_name", unmask, purpose + " findings")} as party_name,
               v.act_id, v.media_id, v.device_id, v.occurred_at, v.{detail_col} as detail, v.citation
        from fct_violations v
        join rules_rules r using (rule_id)
        left join int_units u on u.unit_id = v.unit_id
        left join stg_cases c on c.case_id = v.case_id
        where v.occurred_at >= $start and v.occurred_at < $end and list_contains($units, v.unit_id)"""
    findings_order = "occurred_at, violation_id"
    findings_params = params | window
    head = con.execute(f"select * from ({findings_sql}) order by {findings_order} limit {WIDTH_SAMPLE_ROWS}",
                       findings_params)
    kinds = [(d[0], sheetrows.DATETIME if d[0] == "occurred_at" else sheetrows.TEXT) for d in head.description]
    sample = head.fetchall()
    w = write_table(wb, names["findings"][0], wl("title_findings", lang, period=plabel), cols, [],
                    sample=sample, n_rows=n_findings)
    for sheet, n in w.sheets:
        rows_out[sheet.title] = n
    findings = w.sheets
    datetime_style = _cell(findings[0][0], None, FMT_DATETIME).style_id

    # --- 5. spot-check ledger
    ledger_label = parse_period(per.ledger_code).label(lang)
    cols = [Col(source_column("units", "unit_id", lang)), Col(source_column("units", "unit_name", lang)),
            Col(wl("col_period", lang), width=8), Col(wl("col_draw_rank", lang), width=8),
            Col(wl("col_closed_cases", lang), FMT_INT, 10), Col(source_column("cases", "case_id", lang)),
            Col(source_column("cases", "party_name", lang)), Col(source_column("cases", "case_type", lang)),
            Col(source_column("cases", "procedure", lang)),
            Col(source_column("cases", "opened_at", lang), FMT_DATETIME, 16),
            Col(source_column("cases", "closed_at", lang), FMT_DATETIME, 16),
            Col(source_column("cases", "archived_at", lang), FMT_DATETIME, 16),
            Col(wl("col_seed", lang), width=8), Col(wl("col_draw_key", lang), width=34),
            Col(wl("col_review_conclusion", lang), width=16), Col(wl("col_review_issues", lang), width=30),
            Col(wl("col_reviewer", lang), width=10), Col(wl("col_review_date", lang), FMT_DATE, 12)]
    w = write_table(wb, names["ledger"], wl("title_ledger", lang, period=ledger_label), cols, ledger)
    rows_out[names["ledger"]] = w.rows

    out.parent.mkdir(parents=True, exist_ok=True)
    package, tmp = out.with_name(out.name + ".openpyxl.tmp"), out.with_name(out.name + ".tmp")
    try:
        wb.save(package)
        rows_sql = sheetrows.rows_sql(findings_sql, kinds, findings_order, HEADER_ROWS + 1, rows_per_sheet(),
                                      datetime_style)
        sheetrows.splice(package, tmp, [(ws.path.lstrip("/"), n) for ws, n in findings],
                         sheetrows.row_batches(con, rows_sql, findings_params))
        tmp.replace(out)
    finally:
        package.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return {"path": str(out), "sheets": wb.sheetnames, "rows": rows_out, "split": split,
            "findings": n_findings, "frozen": frozen, "unmasked": unmask}


def _write_cover(con, wb, per: Period, plabel: str, lang: str, unmask: bool, units: list[str], root,
                 as_of, grace: int, frozen: bool, revisions: int, split: dict, names: dict, per_unit: int,
                 seed: int, families: dict, shown_families: list[str]) -> None:
    ws = wb.create_sheet(names["cover"])
    for i, width in enumerate((30, 60) + (11,) * 14, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.oddFooter.center.text = "&P / &N"
    wrap = Alignment(wrap_text=True, vertical="top")
    written = 0

    def put(row, wrapped=None, key=None):
        """Append a row; one whose text wraps gets the height it needs first (write-only rows do
        not grow to fit): `wrapped` in the 60-wide column B, `key` in the 30-wide column A."""
        nonlocal written
        written += 1
        lines = max(1, math.ceil(display_width(wrapped) / 56), math.ceil(display_width(key) / 28))
        if lines > 1:
            ws.row_dimensions[written].height = 15 * lines + 2
        ws.append(row)

    def line(key: str, value, fmt=None):
        put([_cell(ws, key, font=HEADER_FONT, alignment=wrap), _cell(ws, value, fmt, alignment=wrap)], value, key)

    def heading(*cells):
        put([_cell(ws, c, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGN) for c in cells])

    put([_cell(ws, f"{wl('title_workbook', lang)}（{plabel}）" if lang == "zh"
                     else f"{wl('title_workbook', lang)} ({plabel})", font=TITLE_FONT)])
    put([])
    heading(wl("cover_item", lang), wl("cover_value", lang))
    if root is None:
        line(wl("cover_scope", lang), wl("cover_scope_all", lang, n=len(units)))
    else:
        line(wl("cover_scope", lang), wl("cover_scope_unit", lang, unit_id=root[0], unit_name=root[1], n=len(units)))
    last_day = per.end - dt.timedelta(days=1)
    line(wl("cover_period", lang), wl("cover_period_range", lang, label=plabel, start=per.start, end=last_day))
    line(wl("cover_as_of", lang), wl("cover_as_of_value", lang, as_of=as_of))
    batch = con.execute("select batch_id, finished_at, outcome from load_batches where finished_at is not null "
                        "order by finished_at desc, batch_id desc limit 1").fetchone()
    line(wl("cover_freshness", lang), wl("cover_freshness_value", lang, batch_id=batch[0],
                                         finished_at=batch[1].strftime("%Y-%m-%d %H:%M:%S"), outcome=batch[2])
         if batch else wl("cover_freshness_none", lang))
    line(wl("cover_frozen", lang), wl("cover_frozen_yes", lang, days=grace, revisions=revisions) if frozen
         else wl("cover_frozen_no", lang, days=grace))
    line(wl("cover_masking", lang), wl("cover_unmasked", lang) if unmask else wl("cover_masked", lang))
    if split:
        for base, parts in split.items():
            line(wl("cover_split", lang), wl("cover_split_value", lang, sheet=base, n=len(parts), names="、".join(parts)
                                            if lang == "zh" else ", ".join(parts)))
    else:
        line(wl("cover_split", lang), wl("cover_split_none", lang))
    ledger_label = parse_period(per.ledger_code).label(lang)
    line(wl("cover_ledger_period", lang), wl("cover_ledger_value", lang, period=ledger_label, n=per_unit, seed=seed))
    line(wl("cover_method", lang), wl("cover_method_value", lang))
    line(wl("cover_generated", lang), dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"))
    sheets = [names["scorecard"], *names["families"].values(), *names["findings"], names["ledger"]]
    line(wl("cover_sheets", lang), "、".join(sheets) if lang == "zh" else ", ".join(sheets))

    # the rule profiles applied, each with its regulation and its scoring weight per rule family
    # (0 where the family is only an indicator under that profile)
    profiles = con.execute("""
        select p.profile_id, p.short_zh, p.regulation_en, count(*) as n
        from int_units u join rules_profiles p using (profile_id)
        where list_contains($units, u.unit_id) group by all order by p.profile_id""", {"units": units}).fetchall()
    pids = [p[0] for p in profiles]
    weights = con.execute("""
        select family, profile_id, try_cast(weight as double) from rules_scoring_weights
        where list_contains($profiles, profile_id)""", {"profiles": pids}).fetchall()
    table = {(f, p): w for f, p, w in weights}
    fams = sorted({f for f, _, w in weights if w}, key=lambda f: (-max(table.get((f, p)) or 0 for p in pids), f))
    put([])
    put([_cell(ws, f"{wl('cover_profiles', lang)} / {wl('cover_weights', lang)}", font=TITLE_FONT)])
    heading(wl("col_profile", lang), wl("col_regulation", lang), wl("col_units", lang),
            *[wl("col_weight_of", lang, family=families.get(f, f)) for f in fams])
    for pid, short_zh, reg_en, n in profiles:
        regulation = short_zh if lang == "zh" else reg_en
        put([_cell(ws, pid, font=HEADER_FONT, alignment=wrap), _cell(ws, regulation, alignment=wrap),
             *[_cell(ws, v, alignment=wrap) for v in (n, *[table.get((f, pid)) for f in fams])]], regulation)
