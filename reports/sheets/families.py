"""One sheet per rule family with anything judged: each unit's rate in each month of the period and
over the whole period, and a line chart of the months."""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference

from ..context import Context, Family
from ..labels import source_column, wl
from ..tables import FMT_RATE, HEADER_ROWS, Col, flag_low_rates, write_table


def write_family_sheets(ctx: Context) -> dict[str, int]:
    """Rows written per sheet."""
    return {f.name: _write_family(ctx, f) for f in ctx.judged_families}


def _write_family(ctx: Context, family: Family) -> int:
    lang, per = ctx.lang, ctx.period
    by_unit: dict[str, dict] = {}
    for f, unit_id, unit_name, ptype, pcode, rate in ctx.family_rates:
        if f != family.family:
            continue
        entry = by_unit.setdefault(unit_id, {"name": unit_name})
        if ptype == per.kind and pcode == per.code:
            entry["total"] = rate
        if ptype == "month":
            entry[pcode] = rate
    cols = [Col(source_column("units", "unit_id", lang)), Col(source_column("units", "unit_name", lang))]
    cols += [Col(m, FMT_RATE, 9) for m in per.months] + [Col(wl("col_period_total", lang), FMT_RATE, 10)]
    data = [(u, e["name"], *[e.get(m) for m in per.months], e.get("total")) for u, e in sorted(by_unit.items())]
    w = write_table(ctx.wb, family.name, wl("title_family", lang, family=family.name, period=per.label), cols, data)
    ws = w.sheets[0][0]
    last = HEADER_ROWS + max(len(data), 1)
    flag_low_rates(ws, list(range(3, 4 + len(per.months))), HEADER_ROWS + 1, last)
    chart = LineChart()
    chart.title = wl("chart_family", lang, family=family.name)
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
    return w.rows
