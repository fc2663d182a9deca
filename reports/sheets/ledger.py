"""The spot-check ledger (抽查台账): the cases drawn for case-file review in the period's ledger period
(its quarter, for a month), with empty columns for the reviewer to fill in. How the draw can be
re-shown (the seed, each case's draw key) is kept in the last columns, which are not printed."""

from __future__ import annotations

from core.i18n import enum_label
from core.privacy import mask_sql

from ..context import Context
from ..labels import source_column, wl
from ..tables import FMT_DATE, FMT_INT, Col, write_table

# The columns a reviewer fills in and reads are printed; the draw's evidence after them is not.
PRINTED = 15


def write_ledger(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    lang, per = ctx.lang, ctx.period
    drawn = ctx.con.execute(f"""
        select u.unit_name, l.draw_rank, l.closed_cases, l.case_id,
               {mask_sql("c.party_name", ctx.unmask, ctx.purpose + " spot-check ledger")} as party_name,
               l.case_type, l.procedure, l.opened_at::date, l.closed_at::date, l.archived_at::date,
               l.unit_id, l.period, l.seed, l.draw_key
        from mart_spot_check_ledger l
        left join dim_units u using (unit_id)
        left join dim_cases c using (case_id)
        where l.period_type = $kind and l.period = $code and list_contains($units, l.unit_id)
        order by list_position($order, l.unit_id), l.draw_rank""",
        {"units": ctx.units, "kind": per.ledger_kind, "code": per.ledger_code,
         "order": [u for u, _ in ctx.units_in_order]}).fetchall()
    # the reviewer's four columns (conclusion, issues, reviewer, date) are left empty
    rows = [(i, *r[:5], enum_label("case_type", r[5], lang) if r[5] else None,
             enum_label("procedure", r[6], lang) if r[6] else None, *r[7:10], None, None, None, None, *r[10:])
            for i, r in enumerate(drawn, 1)]
    cols = [Col(wl("col_seq", lang), width=4), Col(source_column("units", "unit_name", lang), width=20, wrap=True),
            Col(wl("col_draw_rank", lang), width=5), Col(wl("col_closed_cases", lang), FMT_INT, 7),
            Col(source_column("cases", "case_id", lang), width=18, wrap=True), Col(source_column("cases", "party_name", lang), width=7),
            Col(source_column("cases", "case_type", lang), width=9, wrap=True),
            Col(source_column("cases", "procedure", lang), width=7, wrap=True),
            Col(source_column("cases", "opened_at", lang), FMT_DATE, 11),
            Col(source_column("cases", "closed_at", lang), FMT_DATE, 11),
            Col(source_column("cases", "archived_at", lang), FMT_DATE, 11),
            Col(wl("col_review_conclusion", lang), width=10), Col(wl("col_review_issues", lang), width=16),
            Col(wl("col_reviewer", lang), width=7), Col(wl("col_review_date", lang), FMT_DATE, 9),
            Col(source_column("units", "unit_id", lang), width=10), Col(wl("col_period", lang), width=8),
            Col(wl("col_seed", lang), width=8), Col(wl("col_draw_key", lang), width=34)]
    name = wl("sheet_ledger", lang)
    w = write_table(ctx.wb, ctx.frame, name, wl("title_ledger", lang, period=per.ledger_label,
                                                n=ctx.run.spot_check_per_unit, seed=ctx.run.spot_check_seed),
                    cols, rows, notes=[wl("note_ledger", lang, seed=ctx.run.spot_check_seed)])
    for ws, n in w.sheets:
        ws.print_area = f"A1:O{w.last_row}"
    return {name: w.rows}
