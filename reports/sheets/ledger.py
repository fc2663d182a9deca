"""The spot-check ledger (抽查台账): the cases drawn for case-file review in the period's ledger period
(its quarter, for a month), with empty columns for the reviewer to fill in."""

from __future__ import annotations

from core.i18n import enum_label
from core.privacy import mask_sql

from ..context import Context
from ..labels import source_column, wl
from ..tables import FMT_DATE, FMT_DATETIME, FMT_INT, Col, write_table


def write_ledger(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    lang, per = ctx.lang, ctx.period
    drawn = ctx.con.execute(f"""
        select l.unit_id, u.unit_name, l.period, l.draw_rank, l.closed_cases, l.case_id,
               {mask_sql("c.party_name", ctx.unmask, ctx.purpose + " spot-check ledger")} as party_name,
               l.case_type, l.procedure, l.opened_at, l.closed_at, l.archived_at, l.seed, l.draw_key
        from mart_spot_check_ledger l
        left join dim_units u using (unit_id)
        left join dim_cases c using (case_id)
        where l.period_type = $kind and l.period = $code and list_contains($units, l.unit_id)
        order by l.unit_id, l.draw_rank""",
        {"units": ctx.units, "kind": per.ledger_kind, "code": per.ledger_code}).fetchall()
    # the reviewer's four columns (conclusion, issues, reviewer, date) are left empty
    rows = [r[:7] + (enum_label("case_type", r[7], lang) if r[7] else None,
                     enum_label("procedure", r[8], lang) if r[8] else None) + r[9:] + (None, None, None, None)
            for r in drawn]
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
    name = wl("sheet_ledger", lang)
    w = write_table(ctx.wb, name, wl("title_ledger", lang, period=per.ledger_label,
                                                  n=ctx.run.spot_check_per_unit, seed=ctx.run.spot_check_seed), cols, rows)
    return {name: w.rows}
