"""The spot-check ledger (抽查台账) and where its reviews stand (评查汇总).

The ledger lists the cases drawn for case-file review in the period's ledger period (its quarter,
for a month) with the reviewer's columns: empty where no review has come back, filled in with the
review where one has. The sheet is also a form: a reviewer fills it in and returns the workbook to
the inbox's spot_check_reviews folder, where it loads as that source (contract §2). So its
reviewer's columns carry the contract's headers, its conclusion cells offer the three conclusions,
and each row carries the review's id (评查编号) among the columns after the printed ones, with what
the draw rests on (the seed, each case's draw key)."""

from __future__ import annotations

import datetime as dt

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.contract import ENUMS
from core.i18n import code_label, enum_label
from core.privacy import mask_sql, mask_within_sql

from ..context import Context
from ..labels import source_column, wl
from ..tables import FMT_DATE, FMT_INT, FMT_RATE, HEADER_ROWS, Col, write_table

# The columns a reviewer fills in and reads are printed; the review's id and the draw's evidence after them are not.
PRINTED = 18
CONCLUSION_COLUMN = 12


def conclusion_words(lang: str) -> list[str]:
    """The conclusions as the sheet writes them and the loader reads them back (contract enum review_conclusion)."""
    return [code_label("review_status", code, lang) for code in ENUMS["review_conclusion"]]


def write_ledger(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    return _write_summary(ctx) | _write_ledger(ctx)


def _write_ledger(ctx: Context) -> dict[str, int]:
    lang, per = ctx.lang, ctx.period
    drawn = ctx.con.execute(f"""
        select l.case_id, u.unit_name, l.draw_rank, l.closed_cases,
               {mask_sql("c.party_name", ctx.unmask, ctx.purpose + " spot-check ledger")} as party_name,
               l.case_type, l.procedure, l.opened_at::date, l.closed_at::date, l.archived_at::date,
               l.conclusion, {"l.problems" if ctx.unmask else mask_within_sql("l.problems", "c.party_name")},
               l.reviewer, l.reviewed_at::date, l.rectify_by, l.rectified_at::date,
               l.rectification_status,
               coalesce(l.review_id, l.period || ':' || l.case_id), l.unit_id, l.period, l.seed, l.draw_key
        from mart_spot_check_ledger l
        left join dim_units u using (unit_id)
        left join dim_cases c using (case_id)
        where l.period_type = $kind and l.period = $code and list_contains($units, l.unit_id)
        order by list_position($order, l.unit_id), l.draw_rank""",
        {"units": ctx.units, "kind": per.ledger_kind, "code": per.ledger_code,
         "order": [u for u, _ in ctx.units_in_order]}).fetchall()
    rows = [(i, *r[:5], enum_label("case_type", r[5], lang) if r[5] else None,
             enum_label("procedure", r[6], lang) if r[6] else None, *r[7:10],
             code_label("review_status", r[10], lang) if r[10] else None, *r[11:16],
             code_label("rectification_status", r[16], lang) if r[16] else None, *r[17:])
            for i, r in enumerate(drawn, 1)]
    review = "spot_check_reviews"
    # the case number next to 序号: the two repeat on each page a printed row is continued on, so the
    # reviewer's columns on the second page still say which case they are for
    cols = [Col(wl("col_seq", lang), width=4), Col(source_column("cases", "case_id", lang), width=18, wrap=True),
            Col(source_column("units", "unit_name", lang), width=20, wrap=True),
            Col(wl("col_draw_rank", lang), width=5), Col(wl("col_closed_cases", lang), FMT_INT, 7),
            Col(source_column("cases", "party_name", lang), width=7),
            Col(source_column("cases", "case_type", lang), width=9, wrap=True),
            Col(source_column("cases", "procedure", lang), width=7, wrap=True),
            Col(source_column("cases", "opened_at", lang), FMT_DATE, 11),
            Col(source_column("cases", "closed_at", lang), FMT_DATE, 11),
            Col(source_column("cases", "archived_at", lang), FMT_DATE, 11),
            Col(source_column(review, "conclusion", lang), width=9), Col(source_column(review, "problems", lang), width=18, wrap=True),
            Col(source_column(review, "reviewer", lang), width=8, wrap=True),  # a review group: 陈金云、刘静
            Col(source_column(review, "reviewed_at", lang), FMT_DATE, 11),
            Col(source_column(review, "rectify_by", lang), FMT_DATE, 11),
            Col(source_column(review, "rectified_at", lang), FMT_DATE, 11),
            Col(wl("col_rectification_status", lang), width=10, wrap=True),
            Col(source_column(review, "review_id", lang), width=24), Col(source_column("units", "unit_id", lang), width=10),
            Col(source_column(review, "period", lang), width=8),
            Col(wl("col_seed", lang), width=8), Col(wl("col_draw_key", lang), width=34)]
    assert cols[CONCLUSION_COLUMN - 1].header == source_column(review, "conclusion", lang) and len(cols) == PRINTED + 5
    name = wl("sheet_ledger", lang)
    w = write_table(ctx.wb, ctx.frame, name, wl("title_ledger", lang, period=per.ledger_label,
                                                n=ctx.run.spot_check_per_unit, seed=ctx.run.spot_check_seed),
                    cols, rows, notes=[numbered([*not_drawn_yet(ctx),
                                                wl("note_ledger_return", lang, rectify_days=ctx.run.review_rectify_days),
                                                wl("note_ledger", lang, seed=ctx.run.spot_check_seed)], lang)])
    letter = get_column_letter(CONCLUSION_COLUMN)
    for ws, n in w.sheets:
        ws.print_area = f"A1:{get_column_letter(PRINTED)}{w.last_row}"
        if n:
            # the reviewer picks a conclusion the loader reads back, rather than typing one it may not
            choose = DataValidation(type="list", formula1='"' + ",".join(conclusion_words(lang)) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle=source_column(review, "conclusion", lang),
                                    error=wl("ledger_pick_conclusion", lang))
            choose.add(f"{letter}{HEADER_ROWS + 1}:{letter}{HEADER_ROWS + n}")
            ws.data_validations.append(choose)
    return {name: w.rows}


def numbered(notes: list[str], lang: str) -> str:
    """The sheet's notes in one paragraph, 注：1. … 2. …, as the other sheets write theirs."""
    if lang == "en":  # each note is a sentence of its own
        notes = [note[:1].upper() + note[1:] for note in notes]
    if len(notes) == 1:
        return wl("notes_numbered", lang) + notes[0]
    return wl("notes_numbered", lang) + " ".join(f"{i}. {note}" for i, note in enumerate(notes, 1))


def not_drawn_yet(ctx: Context) -> list[str]:
    """The note of a ledger period not ended by the end of as_of, whose cases are not drawn yet."""
    ends = ctx.con.execute("select period_end from dim_periods where period_type = $kind and period = $code",
                           {"kind": ctx.period.ledger_kind, "code": ctx.period.ledger_code}).fetchall()
    if not ends or ends[0][0] <= ctx.run.as_of_end_at.date():
        return []
    return [wl("note_ledger_not_drawn", ctx.lang, period=ctx.period.ledger_label,
               day=ctx.frame.date_text(ends[0][0] - dt.timedelta(days=1)))]


def _write_summary(ctx: Context) -> dict[str, int]:
    """Per unit: drawn, reviewed, each conclusion, the pass rate, and the rectifications asked for,
    done on time, done late, under way and overdue (mart_unit_period_spot_checks)."""
    lang, per = ctx.lang, ctx.period
    got = {r[0]: r[1:] for r in ctx.con.execute("""
        select unit_id, drawn, reviewed, passed, basically_passed, failed, pass_rate, rectifications,
               rectified_on_time, rectified_late, rectifying, rectification_overdue, reviews_outside_draw
        from mart_unit_period_spot_checks
        where period_type = $kind and period = $code and list_contains($units, unit_id)""",
        {"units": ctx.units, "kind": per.ledger_kind, "code": per.ledger_code}).fetchall()}
    outside = sum(r[-1] for r in got.values())
    data = [(i, name, *got[unit][:-1]) for i, (unit, name) in enumerate(
        [(u, n) for u, n in ctx.units_in_order if u in got], 1)]
    sums = [sum(r[k] or 0 for r in data) for k in range(2, len(data[0]) if data else 2)]
    totals = []
    if data:
        reviewed, passing = sums[1], sums[2] + sums[3]
        totals = [(wl("row_total", lang), None, *sums[:5], passing / reviewed if reviewed else None, *sums[6:])]
    group = wl("col_group_rectification", lang)
    cols = [Col(wl("col_seq", lang), width=4), Col(source_column("units", "unit_name", lang), width=24, wrap=True),
            Col(wl("col_drawn", lang), FMT_INT, 7), Col(wl("col_reviewed", lang), FMT_INT, 7),
            *[Col(code_label("review_status", c, lang), FMT_INT, 7) for c in ENUMS["review_conclusion"]],
            Col(wl("col_review_pass_rate", lang), FMT_RATE, 10),
            Col(wl("col_rectifications", lang), FMT_INT, 7, group=group),
            *[Col(code_label("rectification_status", c, lang), FMT_INT, 8, group=group)
              for c in ("on_time", "late", "pending", "overdue")]]
    name = wl("sheet_review_summary", lang)
    w = write_table(ctx.wb, ctx.frame, name, wl("title_review_summary", lang, period=per.ledger_label), cols, data,
                    totals=totals, notes=[numbered([wl("note_review_summary", lang, as_of=ctx.frame.date_text(ctx.run.as_of),
                                                       rectify_days=ctx.run.review_rectify_days),
                                                    *([wl("note_reviews_outside_draw", lang, n=outside)] if outside else [])],
                                                   lang)])
    return {name: w.rows}
