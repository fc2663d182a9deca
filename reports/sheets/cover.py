"""The cover (说明): the workbook's title, who files it and when, what it covers and how its figures
were made, in plain words, and the regulations applied, each with its units and its scoring weights."""

from __future__ import annotations

import datetime as dt

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from core.i18n import code_label

from ..context import Context
from ..labels import units_text, wl
from ..tables import BORDER, HEADER_ALIGN, HEADER_FILL, WRAP, cell, line_height, print_setup, text_lines, title_rows

WIDTHS = (20, 90)  # one A4 landscape page wide at 100 % (tables.PAGE_WIDTH_UNITS)


class _Rows:
    """The cover's rows under its title, appended in order; write-only rows do not grow to fit their
    text, so a row whose text wraps is given the height it needs before it is written."""

    def __init__(self, ws, ctx: Context, written: int):
        self.ws, self.fonts = ws, ctx.frame.fonts
        self.written = written

    def _put(self, row: list, *texts) -> None:
        self.written += 1
        lines = max([1] + [text_lines(t, w) for t, w in zip(texts, WIDTHS)])
        if lines > 1:
            self.ws.row_dimensions[self.written].height = line_height(lines)
        self.ws.append(row)

    def line(self, key: str, value) -> None:
        ws = self.ws
        self._put([cell(ws, key, font=self.fonts.bold, alignment=WRAP, border=BORDER),
                   cell(ws, value, alignment=WRAP, border=BORDER)], key, value)

    def heading(self, *texts) -> None:
        self._put([cell(self.ws, t, font=self.fonts.bold, fill=HEADER_FILL, alignment=HEADER_ALIGN, border=BORDER)
                   for t in texts])

    def blank(self) -> None:
        self._put([])


def write_cover(ctx: Context) -> None:
    lang, per, run = ctx.lang, ctx.period, ctx.run
    ws = ctx.wb.create_sheet(wl("sheet_cover", lang))
    for i, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    print_setup(ws, lang)
    rows = _Rows(ws, ctx, title_rows(ws, ctx.frame, wl("title_workbook", lang, period=per.label), len(WIDTHS), stacked=True))
    listed = "、".join if lang == "zh" else ", ".join
    rows.blank()
    rows.heading(wl("cover_item", lang), wl("cover_value", lang))
    if ctx.root is None:
        rows.line(wl("cover_scope", lang), wl("cover_scope_all", lang, n=len(ctx.units)))
    else:
        rows.line(wl("cover_scope", lang), wl("cover_scope_unit" if len(ctx.units) > 1 else "cover_scope_leaf", lang,
                                              unit_id=ctx.root[0], unit_name=ctx.root[1], n=len(ctx.units)))
    last_day = per.end - dt.timedelta(days=1)
    rows.line(wl("cover_period", lang), wl("cover_period_range", lang, label=per.label, start=ctx.frame.date_text(per.start),
                                           end=ctx.frame.date_text(last_day)))
    rows.line(wl("cover_as_of", lang), wl("cover_as_of_value", lang, as_of=ctx.frame.date_text(run.as_of)))
    batch = ctx.con.execute("select batch_id, finished_at, outcome from load_batches where finished_at is not null "
                            "order by finished_at desc, batch_id desc limit 1").fetchone()
    rows.line(wl("cover_freshness", lang), wl("cover_freshness_value", lang, batch_id=batch[0],
                                              finished_at=f"{ctx.frame.date_text(batch[1])} {batch[1]:%H:%M}",
                                              outcome=code_label("batch_outcome", batch[2], lang))
              if batch else wl("cover_freshness_none", lang))
    if ctx.frozen:
        revisions = ctx.con.execute("""
            select count(*) from mart_scorecard_revisions
            where period_type = $kind and period = $code and list_contains($units, unit_id)""",
            ctx.params("units", "kind", "code")).fetchone()[0]
        frozen = wl("cover_frozen_yes", lang, days=run.freeze_grace_days, revisions=revisions)
    else:
        frozen = wl("cover_frozen_no", lang, days=run.freeze_grace_days)
    rows.line(wl("cover_frozen", lang), frozen)
    rows.line(wl("cover_masking", lang), wl("cover_unmasked", lang) if ctx.unmask else wl("cover_masked", lang))
    rows.line(wl("cover_findings", lang), wl("cover_findings_value", lang, n=f"{ctx.findings:,}",
                                             units=len(ctx.findings_by_unit),
                                             n_units=units_text(len(ctx.findings_by_unit), lang)))
    parts = ctx.findings_sheets
    if len(parts) > 1:
        rows.line(wl("cover_split", lang), wl("cover_split_value", lang, sheet=parts[0], n=len(parts),
                                              names=listed(parts)))
    rows.line(wl("cover_ledger_period", lang), wl("cover_ledger_value", lang, period=per.ledger_label,
                                                  n=run.spot_check_per_unit, seed=run.spot_check_seed))
    rows.line(wl("cover_reviews", lang), wl("cover_reviews_value", lang, days=run.review_rectify_days,
                                            weighed=wl("review_weighed", lang, weight=f"{run.review_weight:g}")
                                            if run.review_weight else wl("review_not_weighed", lang)))
    _not_judged(ctx, rows)
    rows.line(wl("cover_method", lang), wl("cover_method_value", lang))
    rows.line(wl("cover_sheets", lang), listed(ctx.sheets))
    _profiles(ctx, rows)


def _not_judged(ctx: Context, rows: _Rows) -> None:
    """What the rules could not judge from the exports in the period, how many and why: left out of
    the rates, never counted compliant (mart_unit_rule_period_not_judged)."""
    lang = ctx.lang
    counted = ctx.con.execute(f"""
        select n.rule_id, r.name_{lang}, n.not_judged_reason, sum(n.not_judged)
        from mart_unit_rule_period_not_judged n left join dim_rules r using (rule_id)
        where n.period_type = $kind and n.period = $code and list_contains($units, n.unit_id)
        group by all order by all""", ctx.params("units", "kind", "code")).fetchall()
    items = [wl("cover_not_judged_item", lang, rule=name or rule, n=f"{n:,}",
                reason=code_label("not_judged_reason", code, lang))
             for rule, name, code, n in counted]
    rows.line(wl("cover_not_judged", lang), ("；" if lang == "zh" else "; ").join(items)
              or wl("cover_not_judged_none", lang))


def _profiles(ctx: Context, rows: _Rows) -> None:
    """The regulations the units in scope are judged under, each with how many units and its weight
    per rule family, the heaviest first (a family weighed 0 is only an indicator there)."""
    lang = ctx.lang
    profiles = ctx.con.execute("""
        select profile_id, regulation_short_zh, regulation_en, count(*) as n
        from dim_units
        where list_contains($units, unit_id) group by all order by n desc, profile_id""",
        ctx.params("units")).fetchall()
    weights = ctx.con.execute("""
        select profile_id, family, weight from dim_profile_family_weights
        where list_contains($profiles, profile_id)""", {"profiles": [p[0] for p in profiles]}).fetchall()
    order = {f.family: i for i, f in enumerate(ctx.families)}
    # the regulations from a new page: their heading never left alone at the foot of the first
    rows.ws.row_breaks.append(Break(id=rows.written))
    rows.heading(wl("col_regulation", lang), wl("cover_weights", lang))
    for pid, short_zh, reg_en, n in profiles:
        mine = sorted(((w, f) for p, f, w in weights if p == pid), key=lambda x: (-x[0], order.get(x[1], 99)))
        weighed = (", " if lang == "en" else "、").join(f"{ctx.family_name(f)} {w:g}" for w, f in mine if w)
        indicators = (", " if lang == "en" else "、").join(ctx.family_name(f) for w, f in mine if not w)
        text = wl("cover_profile_value", lang, n=n, n_units=units_text(n, lang), weights=weighed)
        if indicators:
            text += wl("cover_profile_indicators", lang, families=indicators)
        rows.line(short_zh if lang == "zh" else reg_en, text)
