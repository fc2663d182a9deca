"""The cover (说明): what the workbook covers and how its figures were made, and the rule profiles
applied, each with its regulation and its scoring weight per rule family."""

from __future__ import annotations

import datetime as dt
import math

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from core.i18n import code_label

from ..context import Context
from ..labels import wl
from ..tables import HEADER_ALIGN, HEADER_FILL, HEADER_FONT, TITLE_FONT, cell, display_width, print_setup

WRAP = Alignment(wrap_text=True, vertical="top")


class _Rows:
    """The cover's rows, appended in order; write-only rows do not grow to fit their text, so a row
    whose text wraps is given the height it needs before it is written."""

    def __init__(self, ws):
        self.ws = ws
        self.written = 0

    def put(self, row: list, wrapped=None, key=None) -> None:
        """`wrapped` is the text in the 60-wide column B, `key` in the 30-wide column A."""
        self.written += 1
        lines = max(1, math.ceil(display_width(wrapped) / 56), math.ceil(display_width(key) / 28))
        if lines > 1:
            self.ws.row_dimensions[self.written].height = 15 * lines + 2
        self.ws.append(row)

    def line(self, key: str, value, fmt=None) -> None:
        ws = self.ws
        self.put([cell(ws, key, font=HEADER_FONT, alignment=WRAP), cell(ws, value, fmt, alignment=WRAP)], value, key)

    def heading(self, *cells) -> None:
        self.put([cell(self.ws, c, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGN) for c in cells])


def write_cover(ctx: Context) -> None:
    lang, per, run = ctx.lang, ctx.period, ctx.run
    ws = ctx.wb.create_sheet(wl("sheet_cover", lang))
    for i, width in enumerate((30, 60) + (11,) * 14, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    print_setup(ws)
    rows = _Rows(ws)
    listed = "、".join if lang == "zh" else ", ".join

    rows.put([cell(ws, f"{wl('title_workbook', lang)}（{per.label}）" if lang == "zh"
                       else f"{wl('title_workbook', lang)} ({per.label})", font=TITLE_FONT)])
    rows.put([])
    rows.heading(wl("cover_item", lang), wl("cover_value", lang))
    rows.line(wl("cover_office", lang), ctx.office or wl("cover_office_unset", lang))
    if ctx.root is None:
        rows.line(wl("cover_scope", lang), wl("cover_scope_all", lang, n=len(ctx.units)))
    else:
        rows.line(wl("cover_scope", lang), wl("cover_scope_unit", lang, unit_id=ctx.root[0], unit_name=ctx.root[1],
                                              n=len(ctx.units)))
    last_day = per.end - dt.timedelta(days=1)
    rows.line(wl("cover_period", lang), wl("cover_period_range", lang, label=per.label, start=per.start, end=last_day))
    rows.line(wl("cover_as_of", lang), wl("cover_as_of_value", lang, as_of=run.as_of))
    batch = ctx.con.execute("select batch_id, finished_at, outcome from load_batches where finished_at is not null "
                            "order by finished_at desc, batch_id desc limit 1").fetchone()
    rows.line(wl("cover_freshness", lang), wl("cover_freshness_value", lang, batch_id=batch[0],
                                              finished_at=batch[1].strftime("%Y-%m-%d %H:%M:%S"),
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
    parts = ctx.findings_sheets
    rows.line(wl("cover_split", lang), wl("cover_split_value", lang, sheet=parts[0], n=len(parts), names=listed(parts))
              if len(parts) > 1 else wl("cover_split_none", lang))
    rows.line(wl("cover_ledger_period", lang), wl("cover_ledger_value", lang, period=per.ledger_label,
                                                  n=run.spot_check_per_unit, seed=run.spot_check_seed))
    _not_judged(ctx, rows)
    rows.line(wl("cover_method", lang), wl("cover_method_value", lang))
    rows.line(wl("cover_generated", lang), dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"))
    rows.line(wl("cover_sheets", lang), listed(ctx.sheets))
    _profiles(ctx, rows)


def _not_judged(ctx: Context, rows: _Rows) -> None:
    """What the rules could not judge from the exports in the period, how many and why: left out of
    the rates, never counted compliant (mart_unit_rule_period_not_judged)."""
    lang = ctx.lang
    counted = ctx.con.execute("""
        select rule_id, not_judged_reason, sum(not_judged) from mart_unit_rule_period_not_judged
        where period_type = $kind and period = $code and list_contains($units, unit_id)
        group by all order by all""", ctx.params("units", "kind", "code")).fetchall()
    items = [wl("cover_not_judged_item", lang, rule=rule, n=f"{n:,}", reason=code_label("not_judged_reason", code, lang))
             for rule, code, n in counted]
    rows.line(wl("cover_not_judged", lang), ("；" if lang == "zh" else "; ").join(items)
              or wl("cover_not_judged_none", lang))


def _profiles(ctx: Context, rows: _Rows) -> None:
    """The rule profiles of the units in scope, each with its regulation and its weight per rule
    family (0 where the family is only an indicator under that profile); families no profile
    weighs are left out, the heaviest first."""
    lang, ws = ctx.lang, rows.ws
    profiles = ctx.con.execute("""
        select profile_id, regulation_short_zh, regulation_en, count(*) as n
        from dim_units
        where list_contains($units, unit_id) group by all order by profile_id""", ctx.params("units")).fetchall()
    pids = [p[0] for p in profiles]
    weights = ctx.con.execute("""
        select family, profile_id, weight from dim_profile_family_weights
        where list_contains($profiles, profile_id)""", {"profiles": pids}).fetchall()
    table = {(f, p): w for f, p, w in weights}
    fams = sorted({f for f, _, w in weights if w}, key=lambda f: (-max(table.get((f, p)) or 0 for p in pids), f))
    rows.put([])
    rows.put([cell(ws, f"{wl('cover_profiles', lang)} / {wl('cover_weights', lang)}", font=TITLE_FONT)])
    rows.heading(wl("col_profile", lang), wl("col_regulation", lang), wl("col_units", lang),
                 *[wl("col_weight_of", lang, family=ctx.family_name(f)) for f in fams])
    for pid, short_zh, reg_en, n in profiles:
        regulation = short_zh if lang == "zh" else reg_en
        rows.put([cell(ws, pid, font=HEADER_FONT, alignment=WRAP), cell(ws, regulation, alignment=WRAP),
                  *[cell(ws, v, alignment=WRAP) for v in (n, *[table.get((f, pid)) for f in fams])]], regulation)
