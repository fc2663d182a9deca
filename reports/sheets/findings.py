"""The findings (问题清单): every violation of the period in scope, from mart_findings, by unit (a
heading with its counts, each unit on a new printed page), then by severity and rule (a heading with
the article the rule's findings break), then by time; numbered within the unit, each with the ids
that find its record. Every row also carries its unit, severity, rule, article and finding id, in
columns kept out of print, so that a filter or a sort still finds them.

Too many rows for openpyxl's per-cell Python: the sheets are laid out empty, and their rows are
built by DuckDB and spliced in once the package is saved (reports.sheetrows); split over sheets at
Excel's row limit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from core.i18n import CODES, code_label
from core.privacy import mask_sql
from core.sql import lit

from .. import sheetrows
from ..context import FINDINGS_WHERE, Context
from ..labels import counted, source_column, wl
from ..tables import (
    BODY_PT,
    BORDER,
    FMT_DATETIME,
    HEADER_ROWS,
    TOP,
    TOP_CENTRE,
    WRAP,
    Col,
    cell,
    rows_per_sheet,
    write_table,
)

# a rule's articles in the regulation's order (_cite: 第九条 before 第十条), as the notices list them
ORDER = "_unit, _severity, rule_id nulls first, _cite nulls first, _part, occurred_at, violation_id"
# Excel keeps at most 1,026 manual page breaks on a sheet: past that, units follow on without one.
MAX_BREAKS = 1_000
PRINTED = 5  # the columns a person reads; the rest are for filtering and quoting a finding back
_RECORDS = (("case_id", "ref_case"), ("act_id", "ref_act"), ("media_id", "ref_media"),
            ("device_id", "ref_device"), ("officer_id", "ref_officer"))


@dataclass
class Findings:
    """Sheets laid out for the findings, and the query of their rows."""
    sheets: list  # (worksheet, rows it gets)
    sql: str
    params: dict
    columns: list[tuple[str, str, int | None]]  # (column, sheetrows kind, style)
    heading_style: int
    wrapped: list[tuple[str, int]]  # (column, width) of the text that wraps
    heading_width: int  # of the printed columns, which a heading is merged over and wraps in

    @property
    def rows(self) -> dict[str, int]:
        return {ws.title: n for ws, n in self.sheets}

    def splice(self, con, package: Path, out: Path) -> None:
        """Write the saved `package` to `out` with the rows in the findings sheets."""
        sql = sheetrows.rows_sql(self.sql, self.columns, ORDER, HEADER_ROWS + 1, rows_per_sheet(),
                                 section=("_section", self.heading_style, self.heading_width), wrapped=self.wrapped, line_pt=BODY_PT)
        sheetrows.splice(package, out, [(ws.path.lstrip("/"), n) for ws, n in self.sheets],
                         sheetrows.row_batches(con, sql, self.params))


def _headings(ctx: Context) -> list[tuple]:
    """(unit position, severity position, rule_id, citation, text) of every heading row."""
    lang = ctx.lang
    sep = wl("ref_separator", lang)
    severities = list(CODES["severity"])
    out = []
    for k, (unit_id, name, groups) in enumerate(ctx.findings_by_unit):
        counts = {}
        for severity, *_, n in groups:
            counts[severity] = counts.get(severity, 0) + n
        by = sep.join(f"{code_label('severity', code, lang)} {counts[code]:,}" for code in severities if code in counts)
        out.append((k, 0, None, None, wl("findings_heading", lang, unit_name=name, unit_id=unit_id,
                                         n=f"{sum(counts.values()):,}",
                                         n_findings=counted(sum(counts.values()), "finding"), by=by)))
        for severity, rule_id, rule_name, citation, n in groups:
            out.append((k, severities.index(severity) + 1, rule_id, citation,
                        wl("findings_rule_heading", lang, severity=code_label("severity", severity, lang),
                           rule=rule_name, citation=citation or "", n=f"{n:,}")))
    return out


def write_findings(ctx: Context) -> Findings:
    lang = ctx.lang
    cols = [Col(wl("col_seq", lang), width=6), Col(wl("col_occurred_at", lang), FMT_DATETIME, 16),
            Col(source_column("cases", "party_name", lang), width=8), Col(wl("col_records", lang), width=40, wrap=True),
            Col(wl("col_detail", lang), width=42, wrap=True),
            Col(source_column("units", "unit_name", lang), width=24), Col(wl("col_severity", lang), width=8),
            Col(wl("col_rule_name", lang), width=24), Col(wl("col_citation", lang), width=30),
            Col(wl("col_violation_id", lang), width=34)]
    severity = " ".join(f"when {lit(code)} then {lit(code_label('severity', code, lang))}"
                        for code in CODES["severity"])
    records = ", ".join(f"{lit(wl(label, lang) + ' ')} || {column}" for column, label in _RECORDS)
    sql = f"""
        with found as (
            select * from mart_findings where {FINDINGS_WHERE}
        ),
        headings as (
            select unnest($h_unit) as _unit, unnest($h_severity) as _severity, unnest($h_rule) as rule_id,
                   unnest($h_citation) as citation, unnest($h_text) as _section, 0 as _part,
                   list_position($cites, citation) as _cite
        )
        select * from headings
        union all by name
        select list_position($order, unit_id) - 1 as _unit, list_position($severities, severity) as _severity,
               1 as _part, row_number() over (partition by unit_id order by list_position($severities, severity),
                                               rule_id, list_position($cites, citation), occurred_at,
                                               violation_id) as seq, list_position($cites, citation) as _cite,
               occurred_at, {mask_sql("party_name", ctx.unmask, ctx.purpose + " findings")} as party_name,
               concat_ws({lit(wl("ref_separator", lang))}, {records}) as records, detail_{lang} as detail,
               unit_name, case severity {severity} else severity end as severity_label,
               rule_id, rule_name_{lang} as rule_name, citation, violation_id
        from found"""
    heads = _headings(ctx)
    params = {**ctx.params("units", "start", "end"), "order": [u for u, _, _ in ctx.findings_by_unit],
              "severities": list(CODES["severity"]), "cites": ctx.citations, **{f"h_{k}": [h[i] for h in heads] for i, k in
                                                        enumerate(("unit", "severity", "rule", "citation", "text"))}}
    w = write_table(ctx.wb, ctx.frame, ctx.findings_sheets[0], wl("title_findings", lang, period=ctx.period.label),
                    cols, [], sample=[], n_rows=ctx.findings_rows, key_cols=1)
    ws = w.sheets[0][0]
    plain = cell(ws, None, alignment=TOP, border=BORDER).style_id
    wrapped = cell(ws, None, alignment=WRAP, border=BORDER).style_id
    when = cell(ws, None, FMT_DATETIME, alignment=TOP, border=BORDER).style_id
    columns = [("seq", sheetrows.NUMBER, cell(ws, None, alignment=TOP_CENTRE, border=BORDER).style_id),
               ("occurred_at", sheetrows.DATETIME, when), ("party_name", sheetrows.TEXT, plain),
               ("records", sheetrows.TEXT, wrapped), ("detail", sheetrows.TEXT, wrapped),
               ("unit_name", sheetrows.TEXT, plain), ("severity_label", sheetrows.TEXT, plain),
               ("rule_name", sheetrows.TEXT, plain), ("citation", sheetrows.TEXT, plain),
               ("violation_id", sheetrows.TEXT, plain)]
    for sheet, n in w.sheets:
        sheet.print_area = f"A1:{get_column_letter(PRINTED)}{HEADER_ROWS + max(n, 1)}"
    if len(w.sheets) == 1:  # each unit on a new page
        row = HEADER_ROWS
        for k, (_, _, groups) in enumerate(ctx.findings_by_unit[:MAX_BREAKS + 1]):
            if k:
                ws.row_breaks.append(Break(id=row))
            row += 1 + len(groups) + sum(g[-1] for g in groups)
    # each heading merged over the printed columns, wrapping there: a rule's long citation is not cut
    # at the page's edge (its row is made as high as it needs when spliced)
    last = get_column_letter(PRINTED)
    for at in _heading_rows(ctx):
        sheet, row = divmod(at, rows_per_sheet())
        w.sheets[sheet][0].merged_cells.add(f"A{HEADER_ROWS + 1 + row}:{last}{HEADER_ROWS + 1 + row}")
    wraps = [(name, c.width) for (name, _, _), c in zip(columns, cols) if c.wrap]
    heading = cell(ws, None, font=ctx.frame.fonts.bold, alignment=WRAP).style_id
    return Findings(w.sheets, sql, params, columns, heading, wraps, sum(c.width for c in cols[:PRINTED]))


def _heading_rows(ctx: Context) -> list[int]:
    """Where each heading (a unit's, then each of its rules') is among the findings rows, from 0."""
    at, out = 0, []
    for _, _, groups in ctx.findings_by_unit:
        out.append(at)
        at += 1
        for *_, n in groups:
            out.append(at)
            at += 1 + n
    return out
