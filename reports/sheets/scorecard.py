"""The scorecard (汇总): mart_unit_period_scorecard's rows of the period, a rate per rule family that
has one, the score on a colour scale and a bar chart of the scores."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.utils import get_column_letter

from ..context import Context
from ..labels import source_column, wl
from ..tables import BAD_FONT, FMT_CHANGE, FMT_INT, FMT_RATE, FMT_SCORE, HEADER_ROWS, Col, flag_low_rates, write_table


def write_scorecard(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    lang = ctx.lang
    rows = ctx.scorecard
    shown = [f for f in ctx.families if any(r.get(f.rate_column) is not None for r in rows)]
    cols = [Col(source_column("units", "unit_id", lang)), Col(source_column("units", "unit_name", lang)),
            Col(wl("col_parent", lang)), Col(wl("col_profile", lang))]
    cols += [Col(wl("col_rate", lang, family=f.name), FMT_RATE, width=10 if lang == "zh" else 12) for f in shown]
    cols += [Col(wl("col_judged", lang), FMT_INT), Col(wl("col_violations", lang), FMT_INT),
             Col(wl("col_score", lang), FMT_SCORE, 8), Col(wl("col_rank", lang), width=8),
             Col(wl("col_rank_of", lang), width=8), Col(wl("col_previous_score", lang), FMT_SCORE, 8),
             Col(wl("col_score_change", lang), FMT_CHANGE, 8), Col(wl("col_frozen", lang), width=8),
             Col(wl("col_appraisal_score", lang), FMT_SCORE, 12)]
    yes, no = wl("yes", lang), wl("no", lang)
    data = []
    for r in rows:
        row = [r["unit_id"], r["unit_name"], r["parent_unit_id"], r["profile_id"]]
        row += [r[f.rate_column] for f in shown]
        row += [r["judged"], r["violations"], r["score"], r["rank"], r["rank_of"], r["previous_score"],
                r["score_change"], yes if r["is_frozen"] else no, r["appraisal_score"]]
        data.append(tuple(row))
    name = wl("sheet_scorecard", lang)
    w = write_table(ctx.wb, name, wl("title_scorecard", lang, period=ctx.period.label), cols, data)
    ws = w.sheets[0][0]
    first, last = HEADER_ROWS + 1, HEADER_ROWS + max(len(data), 1)
    score_col = 5 + len(shown) + 2
    change_col = score_col + 4
    flag_low_rates(ws, list(range(5, 5 + len(shown))), first, last)
    sl = get_column_letter(score_col)
    ws.conditional_formatting.add(f"{sl}{first}:{sl}{last}", ColorScaleRule(
        start_type="min", start_color="F8696B", mid_type="percentile", mid_value=50, mid_color="FFEB84",
        end_type="max", end_color="63BE7B"))
    cl = get_column_letter(change_col)
    ws.conditional_formatting.add(f"{cl}{first}:{cl}{last}", FormulaRule(
        formula=[f"AND(ISNUMBER({cl}{first}),{cl}{first}<0)"], font=BAD_FONT))
    if data:
        ws.add_chart(_score_chart(ws, lang, score_col, first, last), f"B{last + 3}")
    return {name: w.rows}


def _score_chart(ws, lang: str, score_col: int, first: int, last: int) -> BarChart:
    """A bar per unit, in the table's order."""
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
    chart.width, chart.height = 24, max(7.5, 1 + 0.6 * (last - first + 1))
    return chart
