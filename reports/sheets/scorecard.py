"""The scorecard (汇总): each unit's judged items, violations, score, rank and appraisal score, the
highest score first, with 合计 and 平均 rows, notes on how to read it, the signature lines and a
bar chart of the scores; then the rates by family (分类合规率), each beside its counts."""

from __future__ import annotations

from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.utils import get_column_letter

from ..context import Context
from ..labels import source_column, wl
from ..tables import (
    FMT_CHANGE,
    FMT_INT,
    FMT_RATE,
    FMT_SCORE,
    HEADER_ROWS,
    MIN_JUDGED,
    Col,
    bar_chart,
    chart_below,
    flag_low_rates,
    write_table,
)
from .families import rate_group


def write_scorecard(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    return _write_scores(ctx) | _write_family_rates(ctx)


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _write_scores(ctx: Context) -> dict[str, int]:
    lang, rows = ctx.lang, ctx.scorecard
    parents = dict(ctx.con.execute("select unit_id, unit_name from dim_units").fetchall())
    # one page wide (reports.tables.PAGE_WIDTH_UNITS) with the review pass rate beside the scores
    cols = [Col(wl("col_seq", lang), width=4), Col(source_column("units", "unit_name", lang), width=20, wrap=True),
            Col(source_column("units", "unit_id", lang), width=9),
            Col(wl("col_parent", lang), width=12, wrap=True),
            Col(wl("col_judged", lang), FMT_INT, 9), Col(wl("col_violations", lang), FMT_INT, 7),
            Col(wl("col_score", lang), FMT_SCORE, 6), Col(wl("col_rank", lang), width=7),
            Col(wl("col_rank_of", lang), width=6), Col(wl("col_previous_score", lang), FMT_SCORE, 8),
            Col(wl("col_score_change", lang), FMT_CHANGE, 7), Col(wl("col_appraisal_score", lang), FMT_SCORE, 9),
            Col(wl("col_review_pass_rate", lang), FMT_RATE, 8)]
    data = [(i, r["unit_name"], r["unit_id"], parents.get(r["parent_unit_id"]),
             r["judged"], r["violations"], r["score"], r["rank"], r["rank_of"], r["previous_score"],
             r["score_change"], r["appraisal_score"], r["review_pass_rate"]) for i, r in enumerate(rows, 1)]
    totals = [(wl("row_total", lang), None, None, None, sum(r["judged"] or 0 for r in rows),
               sum(r["violations"] or 0 for r in rows), None, None, None, None, None, None, None),
              (wl("row_mean", lang), None, None, None, None, None, _mean(r["score"] for r in rows), None, None,
               _mean(r["previous_score"] for r in rows), None, _mean(r["appraisal_score"] for r in rows), None)]
    weight = ctx.run.review_weight
    notes = [wl("note_scorecard", lang, days=ctx.run.freeze_grace_days)
             + wl("note_scorecard_reviews", lang, ledger=wl("sheet_review_summary", lang),
                  weighed=wl("review_weighed", lang, weight=f"{weight:g}") if weight else wl("review_not_weighed", lang))]
    name = wl("sheet_scorecard", lang)
    w = write_table(ctx.wb, ctx.frame, name, wl("title_scorecard", lang, period=ctx.period.label), cols, data,
                    totals=totals if data else [], notes=notes, signatures=True)
    ws = w.sheets[0][0]
    first, last = HEADER_ROWS + 1, HEADER_ROWS + max(len(data), 1)
    score, change = get_column_letter(7), get_column_letter(11)
    ws.conditional_formatting.add(f"{score}{first}:{score}{last}", ColorScaleRule(
        start_type="min", start_color="F8696B", mid_type="percentile", mid_value=50, mid_color="FFEB84",
        end_type="max", end_color="63BE7B"))
    ws.conditional_formatting.add(f"{change}{first}:{change}{last}", FormulaRule(
        formula=[f"AND(ISNUMBER({change}{first}),{change}{first}<0)"], font=ctx.frame.fonts.bad))
    if data:
        low = min((r["score"] for r in rows if r["score"] is not None), default=0)
        chart_below(ws, bar_chart(ws, wl("chart_scores", lang), 7, 2, first, last, low, 100, FMT_SCORE, 5),
                    w.last_row)
    return {name: w.rows}


def _write_family_rates(ctx: Context) -> dict[str, int]:
    """Each unit's rate per family over the period beside the judged and violating items it is
    made of; 不适用 where the unit's profile has no violation rule in the family, — where it has
    but nothing was judged."""
    lang, per = ctx.lang, ctx.period
    got = {(f, u): (j, v, rate) for f, u, _, pt, p, rate, j, v in ctx.family_rates if pt == per.kind and p == per.code}
    shown = [f for f in ctx.families if any(f.family == k[0] for k in got)]
    cols = [Col(wl("col_seq", lang), width=4), Col(source_column("units", "unit_name", lang), width=24, wrap=True)]
    for f in shown:
        cols += rate_group(lang, f.name)
    na, nothing = wl("not_applicable", lang), wl("nothing_judged", lang)
    data = []
    for i, (unit, name) in enumerate(ctx.units_in_order, 1):
        row = [i, name]
        for f in shown:
            if (f.family, unit) in got:
                row += got[f.family, unit]
            else:
                row += [na if (unit, f.family) not in ctx.applies else nothing] * 3
        data.append(tuple(row))
    total = [wl("row_total", lang), None]
    for f in shown:
        j = sum(v[0] for k, v in got.items() if k[0] == f.family)
        v = sum(v[1] for k, v in got.items() if k[0] == f.family)
        total += [j, v, (j - v) / j if j else None]
    name = wl("sheet_family_rates", lang)
    w = write_table(ctx.wb, ctx.frame, name, wl("title_family_rates", lang, period=per.label), cols, data,
                    totals=[tuple(total)] if data else [],
                    notes=[wl("note_rates", lang, threshold=f"{ctx.frame.rate_red:.0%}", few=MIN_JUDGED)])
    ws = w.sheets[0][0]
    flag_low_rates(ws, ctx.frame, [5 + 3 * k for k in range(len(shown))], HEADER_ROWS + 1,
                   HEADER_ROWS + max(len(data), 1) + 1)
    return {name: w.rows}
