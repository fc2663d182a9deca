"""The findings (问题清单): every violation of the period in scope, from mart_findings, split over
sheets at Excel's row limit. Too many rows for openpyxl's per-cell Python: the sheets are laid out
empty, and their rows are built by DuckDB and spliced in once the package is saved (reports.sheetrows)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.i18n import CODES, code_label
from core.privacy import mask_sql
from core.sql import lit

from .. import sheetrows
from ..context import FINDINGS_WHERE, Context
from ..labels import source_column, wl
from ..tables import FMT_DATETIME, HEADER_ROWS, Col, cell, rows_per_sheet, write_table

# Column widths of the findings are measured on this many first rows.
WIDTH_SAMPLE_ROWS = 500
ORDER = "occurred_at, violation_id"


@dataclass
class Findings:
    """Sheets laid out for the findings, and the query of their rows."""
    sheets: list  # (worksheet, rows it gets)
    sql: str
    params: dict
    kinds: list[tuple[str, str]]  # (column, sheetrows.TEXT or DATETIME)
    datetime_style: int

    @property
    def rows(self) -> dict[str, int]:
        return {ws.title: n for ws, n in self.sheets}

    def splice(self, con, package: Path, out: Path) -> None:
        """Write the saved `package` to `out` with the rows in the findings sheets."""
        sql = sheetrows.rows_sql(self.sql, self.kinds, ORDER, HEADER_ROWS + 1, rows_per_sheet(), self.datetime_style)
        sheetrows.splice(package, out, [(ws.path.lstrip("/"), n) for ws, n in self.sheets],
                         sheetrows.row_batches(con, sql, self.params))


def write_findings(ctx: Context) -> Findings:
    lang = ctx.lang
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
    sql = f"""
        select violation_id, rule_id, rule_name_{lang} as rule_name,
               case severity {severity} else severity end as severity, unit_id, unit_name,
               officer_id, case_id, {mask_sql("party_name", ctx.unmask, ctx.purpose + " findings")} as party_name,
               act_id, media_id, device_id, occurred_at, detail_{lang} as detail, citation
        from mart_findings
        where {FINDINGS_WHERE}"""
    params = ctx.params("units", "start", "end")
    head = ctx.con.execute(f"select * from ({sql}) order by {ORDER} limit {WIDTH_SAMPLE_ROWS}", params)
    kinds = [(d[0], sheetrows.DATETIME if d[0] == "occurred_at" else sheetrows.TEXT) for d in head.description]
    sample = head.fetchall()
    w = write_table(ctx.wb, ctx.findings_sheets[0], wl("title_findings", lang, period=ctx.period.label), cols, [],
                    sample=sample, n_rows=ctx.findings)
    return Findings(w.sheets, sql, params, kinds, cell(w.sheets[0][0], None, FMT_DATETIME).style_id)
