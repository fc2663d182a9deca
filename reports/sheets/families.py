"""One sheet per rule family with anything judged: each unit's judged items, violations and rate over
the period and in each month, the best rate first, 不适用 where the unit's profile has no violation
rule in the family and — in a month with nothing judged; a bar chart of the period's rates."""

from __future__ import annotations

from ..context import Context, Family
from ..labels import source_column, wl
from ..tables import (
    FMT_INT,
    FMT_RATE,
    HEADER_ROWS,
    MIN_JUDGED,
    Col,
    bar_chart,
    chart_below,
    flag_low_rates,
    write_table,
)


def rate_group(lang: str, group: str) -> list[Col]:
    """The three columns of a rate beside its counts, under `group`: 判定数, 违规数, 合规率."""
    # 判定事项数 on one line: wrapped, it broke as 判定事项 / 数
    return [Col(wl("col_judged_short", lang), FMT_INT, 10, group), Col(wl("col_violations_short", lang), FMT_INT, 6, group),
            Col(wl("col_rate_short", lang), FMT_RATE, 8, group)]


def write_family_sheets(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    labels = dict(ctx.con.execute(f"select period, label_{ctx.lang} from dim_periods where period_type = 'month' "
                                  "and list_contains($months, period)", ctx.params("months")).fetchall())
    return {f.name: _write_family(ctx, f, labels) for f in ctx.judged_families}


def _write_family(ctx: Context, family: Family, month_labels: dict[str, str]) -> int:
    lang, per = ctx.lang, ctx.period
    got = {(u, p): (j, v, rate) for f, u, _, pt, p, rate, j, v in ctx.family_rates
           if f == family.family and (pt == "month" or p == per.code)}
    spans = [per.code] + ([] if per.kind == "month" else list(per.months))
    na, nothing = wl("not_applicable", lang), wl("nothing_judged", lang)
    cols = [Col(wl("col_seq", lang), width=4), Col(source_column("units", "unit_name", lang), width=24, wrap=True)]
    for span in spans:
        group = wl("col_period_total", lang) if span == per.code else month_labels.get(span, span)
        cols += rate_group(lang, group)
    order = {u: i for i, (u, _) in enumerate(ctx.units_in_order)}
    # the best rate over the period first; units it does not apply to last
    units = sorted(ctx.units_in_order, key=lambda u: (-(got.get((u[0], per.code), (0, 0, -1))[2]), order[u[0]]))
    data = []
    for i, (unit, name) in enumerate(units, 1):
        row = [i, name]
        applies = (unit, family.family) in ctx.applies or any((unit, s) in got for s in spans)
        for span in spans:
            row += got.get((unit, span)) or [na if not applies else nothing] * 3
        data.append(tuple(row))
    total = [wl("row_total", lang), None]
    for span in spans:
        j = sum(v[0] for k, v in got.items() if k[1] == span)
        v = sum(v[1] for k, v in got.items() if k[1] == span)
        total += [j, v, (j - v) / j if j else nothing]
    by_month = per.kind != "month"  # a month's sheet has the month alone: not 按月
    title = wl("title_family" if by_month else "title_family_month", lang, family=family.name, period=per.label)
    w = write_table(ctx.wb, ctx.frame, family.name, title, cols, data, totals=[tuple(total)], notes=[wl("note_rates", lang, threshold=f"{ctx.frame.rate_red:.0%}", few=MIN_JUDGED)])
    ws = w.sheets[0][0]
    first = HEADER_ROWS + 1
    flag_low_rates(ws, ctx.frame, [5 + 3 * k for k in range(len(spans))], first, first + len(data))
    rated = [got[u, per.code][2] for u, _ in units if (u, per.code) in got]
    if rated:
        chart = bar_chart(ws, wl("chart_family", lang, family=family.name), 5, 2, first, first + len(rated) - 1,
                          min(rated), 1, FMT_RATE, 0.05)
        chart_below(ws, chart, w.last_row)
    return w.rows
