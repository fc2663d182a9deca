"""What each page shows, as plain functions of (snapshot, filters, lang) returning Plotly figures,
table records and Dash components; the page callbacks only pass through to these, so they can be
tested without a browser."""

from __future__ import annotations

import io
import itertools
import json
import math
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from core.i18n import code_label, source_label
from core.output import safe_text, safe_value
from core.privacy import mask_frame

from . import access, dims, queries
from .filters import normalise, resolve
from .labels import t

PAGE_SIZE = 25


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe records: timestamps as text, NaN as None."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M")
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def coded(frame: pd.DataFrame, lang: str, **kinds: str) -> pd.DataFrame:
    """A copy with each named column's code values replaced by their label (column=catalogue kind)."""
    return frame.assign(**{col: frame[col].map(lambda v, k=kind: code_label(k, v, lang))
                           for col, kind in kinds.items()})


def _pct(x) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def plot_text(text: str | None) -> str | None:
    """Text from an export as a chart shows it: Plotly reads a little HTML in labels, legends and
    hover text (a unit named <a href=…> became a live link), so its markup is written as entities,
    which Plotly shows as the characters they stand for."""
    if not isinstance(text, str):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _empty_figure(lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=t("no_data", lang), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(xaxis_visible=False, yaxis_visible=False, height=300)
    return fig


def family_label(snapshot: Path, lang: str) -> dict[str, str]:
    fam = dims.families(snapshot, lang)
    return dict(zip(fam["family"], fam["label"]))


def table(id_: str, frame: pd.DataFrame, columns: list[tuple[str, str]], **kwargs) -> dash_table.DataTable:
    return dash_table.DataTable(
        id=id_, data=_records(frame[[c for c, _ in columns]]) if len(frame) else [],
        columns=[{"id": c, "name": name} for c, name in columns],
        style_table={"overflowX": "auto"}, style_cell={"textAlign": "left", "fontSize": 13, "maxWidth": 420,
                                                        "whiteSpace": "normal"},
        style_header={"fontWeight": "bold"}, **kwargs)


# --- links to the case page (dashboards/pages/case.py) ---------------------------------------

CASE_PATH = "/case"


def case_link(case_id) -> str | None:
    """A case id as a markdown link to its page (a DataTable column with markdown presentation):
    the id's own markdown characters escaped, so an id from an export cannot make markup or another
    link, and the id quoted in the address."""
    if not isinstance(case_id, str) or not case_id:
        return case_id
    shown = "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~" else c for c in case_id)
    return f"[{shown}]({CASE_PATH}?{urlencode({'case_id': case_id})})"


def with_case_links(records: list[dict], column: str = "case_id") -> list[dict]:
    return [{**r, column: case_link(r.get(column))} for r in records]


def linked_columns(columns: list[dict], column: str = "case_id") -> list[dict]:
    """DataTable columns with the case id shown as the link with_case_links makes of it."""
    return [{**c, "presentation": "markdown"} if c["id"] == column else c for c in columns]


# --- overview --------------------------------------------------------------------------------

def headline(snapshot: Path, filters: dict, lang: str) -> list[dict]:
    """One record per family (the overall first): rate now and in the previous period, change in points."""
    f = resolve(snapshot, filters)
    labels = family_label(snapshot, lang)
    out = []
    for row in queries.overview.family_rates(snapshot, f).itertuples():
        rate, prev = row.rate, row.previous_rate
        change = None if pd.isna(rate) or pd.isna(prev) else round(100 * (rate - prev), 2)
        out.append({"family": row.family,
                    "label": t("overall", lang) if row.family == "all" else labels.get(row.family, row.family),
                    "judged": None if pd.isna(row.judged) else int(row.judged),
                    "violations": None if pd.isna(row.judged) else int(row.judged - row.compliant),
                    "rate": None if pd.isna(rate) else float(rate),
                    "previous_rate": None if pd.isna(prev) else float(prev),
                    "change_points": change})
    return out


def headline_cards(records: list[dict], filters: dict, lang: str) -> html.Div:
    cards = []
    for r in records:
        change = r["change_points"]
        arrow = "" if change is None else ("▲" if change > 0 else "▼" if change < 0 else "＝")
        colour = "#888" if change is None else ("#1a7f37" if change > 0 else "#c62828" if change < 0 else "#888")
        card = html.Div([
            html.Div(r["label"], style={"fontSize": 13, "color": "#555"}),
            html.Div(_pct(r["rate"]), style={"fontSize": 22, "fontWeight": "bold"}),
            html.Div(f"{arrow} {'' if change is None else f'{change:+.2f}'}  ({t('previous_rate', lang)} {_pct(r['previous_rate'])})",
                     style={"fontSize": 12, "color": colour}),
            html.Div(f"{t('violations', lang)} {r['violations'] if r['violations'] is not None else '—'}"
                     f" / {t('judged', lang)} {r['judged'] if r['judged'] is not None else '—'}",
                     style={"fontSize": 11, "color": "#777"}),
        ], className="card", style={"border": "1px solid #ddd", "borderRadius": 6, "padding": "8px 12px",
                                    "minWidth": 150, "background": "#fafafa" if r["family"] != "all" else "#eef4ff"})
        # drill-down: a family's card opens its violations on the rules page
        cards.append(dcc.Link(card, href=rules_href(r["family"]), style={"color": "inherit", "textDecoration": "none"}))
    return html.Div(cards, style={"display": "flex", "flexWrap": "wrap", "gap": 8})


def rules_href(family: str | None) -> str:
    return "/rules" if not family or family == "all" else "/rules?" + urlencode({"family": family})


def score_trend_figure(snapshot: Path, filters: dict, lang: str) -> dict:
    """One line per unit in scope. A figure as plain data (which dcc.Graph takes as it is), not a
    go.Figure: plotly checks every property of every trace, and for a province's 400 units that, with
    a pandas group per unit, was 200 of the overview's 400 ms."""
    frame = queries.overview.score_trend(snapshot, filters)
    if frame.empty:
        return _empty_figure(lang).to_plotly_json()
    rows = zip(*(frame[c].tolist() for c in ("unit_id", "unit_name", "period", "score")))
    traces = []
    for (unit_id, name), unit_rows in itertools.groupby(rows, key=lambda r: r[:2]):  # sorted by unit
        months = list(unit_rows)
        traces.append({"type": "scatter", "mode": "lines+markers", "name": plot_text(name),
                       "x": [r[2] for r in months], "y": [r[3] for r in months], "customdata": [unit_id] * len(months)})
    # the layout still goes through plotly, which gives it the default template the other charts have
    layout = go.Figure(layout={"title": t("score_trend", lang), "xaxis_title": t("month_axis", lang),
                               "yaxis_title": t("score", lang), "height": 380,
                               "margin": {"t": 50, "l": 50, "r": 10, "b": 40}, "legend": {"font": {"size": 11}}},
                       ).to_plotly_json()["layout"]
    return {"data": traces, "layout": layout}


def violations_by_rule_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    f = resolve(snapshot, filters)
    frame = queries.overview.violations_by_rule(snapshot, f, lang)
    if frame.empty:
        return _empty_figure(lang)
    frame = frame.iloc[::-1]
    fig = go.Figure(go.Bar(x=frame["violations"], y=frame["rule_id"] + " " + frame["rule_name"].fillna(""),
                           orientation="h", customdata=frame["rule_id"], text=frame["violations"],
                           textposition="auto"))
    fig.update_layout(title=t("violations_by_rule", lang, period=dims.period_name(snapshot, f, lang)),
                      xaxis_title=t("count", lang),
                      height=max(300, 28 * len(frame) + 100), margin={"t": 50, "l": 10, "r": 10, "b": 40})
    fig.update_yaxes(automargin=True)
    return fig


def warning_table(snapshot: Path, filters: dict, lang: str) -> tuple[list[dict], dict]:
    rows, counts = queries.overview.warnings(snapshot, filters, lang)
    rows = coded(rows, lang, level="warning_level", kind="warning_kind")
    return with_case_links(_records(rows)), {**counts, "shown": len(rows)}

WARNING_COLUMNS = ("level", "kind", "unit_name", "due_at", "hours_left", "detail", "case_id")


def overview(snapshot: Path, filters: dict, lang: str) -> list:
    f = resolve(snapshot, filters)
    shown = dims.period(snapshot, f, lang)
    prev = shown.previous_label or "—"
    records, counts = warning_table(snapshot, f, lang)
    return [
        html.H3(t("headline", lang, period=shown.label or f["period"], previous=prev)),
        headline_cards(headline(snapshot, f, lang), f, lang),
        html.Div([
            html.Div(dcc.Graph(id="ov-trend", figure=score_trend_figure(snapshot, f, lang)),
                     style={"flex": "1 1 480px"}),
            html.Div(dcc.Graph(id="ov-rules", figure=violations_by_rule_figure(snapshot, f, lang)),
                     style={"flex": "1 1 480px"}),
        ], style={"display": "flex", "flexWrap": "wrap", "gap": 8, "marginTop": 12}),
        html.H3(t("warnings", lang)),
        html.P(t("warning_counts", lang, **counts)),
        dash_table.DataTable(
            id="ov-warnings", data=records, page_size=15, sort_action="native",
            columns=linked_columns([{"id": c, "name": t(c if c != "unit_name" else "unit", lang)}
                                    for c in WARNING_COLUMNS]),
            markdown_options={"link_target": "_self"},
            style_cell={"textAlign": "left", "fontSize": 13, "whiteSpace": "normal"},
            style_data_conditional=[
                {"if": {"filter_query": '{level} = "%s"' % code_label("warning_level", "red", lang)},
                 "backgroundColor": "#fde2e1"},
                {"if": {"filter_query": '{level} = "%s"' % code_label("warning_level", "yellow", lang)},
                 "backgroundColor": "#fff6d5"}]),
    ]


# --- units -----------------------------------------------------------------------------------

def scorecard_records(snapshot: Path, filters: dict, lang: str) -> tuple[list[dict], list[dict]]:
    """(rows, columns) of the ranked scorecard table; rates as percentages."""
    frame = queries.scorecard.scorecard(snapshot, filters)
    fam = dims.families(snapshot, lang)
    labels = dict(zip(fam["rate_column"], fam["label"]))
    rates = [c for c in fam["rate_column"] if c in frame.columns and frame[c].notna().any()]
    for c in rates:
        frame[c] = (100 * frame[c]).round(1)
    columns = [("place", t("order", lang)), ("unit_name", t("unit", lang)), ("score", t("score", lang)),
               ("previous_score", t("previous_score", lang)), ("score_change", t("score_change", lang)),
               ("rank", t("rank", lang)), ("appraisal_score", t("appraisal_score", lang)),
               ("violations", t("violations", lang)), ("judged", t("judged", lang))]
    columns += [(c, f"{labels[c]} %") for c in rates]
    cols = [{"id": c, "name": name, "type": "text" if c == "unit_name" else "numeric"} for c, name in columns]
    cols.append({"id": "unit_id", "name": t("unit_id", lang)})
    return _records(frame[[c for c, _ in columns] + ["unit_id"]]), cols


def scorecard_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    f = resolve(snapshot, filters)
    frame = queries.scorecard.scorecard(snapshot, f)
    if frame.empty:
        return _empty_figure(lang)
    fig = go.Figure(go.Bar(x=frame["unit_name"].map(plot_text), y=frame["score"], customdata=frame["unit_id"],
                           text=frame["score"], textposition="auto"))
    fig.update_layout(title=t("scorecard", lang, period=dims.period_name(snapshot, f, lang)),
                      yaxis_title=t("score", lang),
                      height=380, margin={"t": 50, "l": 50, "r": 10, "b": 120})
    return fig


def unit_from_click(click_data: dict | None, active_cell: dict | None, rows: list[dict] | None) -> str | None:
    """The unit a click on the bar chart or on a table row picked (None when nothing was picked, or
    the click is not one the page can send). Whichever it is, the unit filter checks it
    (filters.normalise): this picks, it does not admit."""
    if isinstance(active_cell, dict) and isinstance(rows, list):
        row = active_cell.get("row")
        if isinstance(row, int) and 0 <= row < len(rows) and isinstance(rows[row], dict):
            return rows[row].get("unit_id")
    points = click_data.get("points") if isinstance(click_data, dict) else None
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0].get("customdata")
    return None


# --- rules -----------------------------------------------------------------------------------

def violation_columns(lang: str) -> list[dict]:
    return [{"id": c, "name": t(c, lang)} for c in queries.violations.VIOLATION_ORDER]


def violation_rows(snapshot: Path, filters: dict, lang: str, family: str | None, page_current: int = 0,
                   page_size: int = PAGE_SIZE, sort_by: list | None = None, filter_query: str | None = None,
                   unmask: bool = False, who: str = "") -> tuple[list[dict], int, int]:
    """(records of the page, total rows, page count); party names masked unless `unmask` (logged with
    `who` and the view)."""
    rows, total = queries.violations.violations_page(snapshot, filters, lang, family, page_current or 0, page_size,
                                                     sort_by, filter_query)
    rows = mask_frame(coded(rows, lang, severity="severity"), unmask=unmask,
                      purpose=_view_purpose("rules page", who, filters, family, filter_query))
    return _records(rows), total, max(1, math.ceil(total / page_size))


def _view_purpose(what: str, who: str, filters: dict, family: str | None, filter_query: str | None) -> str:
    f = normalise(filters)
    return (f"dashboard {what}, requested by {who or 'unknown'}: period {f['period']}, unit {f['unit_id'] or 'all'}, "
            f"profile {f['profile_id'] or 'all'}, family {family or 'all'}, filter {filter_query or 'none'}")


def clamp_page(page_current: int, page_count: int) -> int:
    return max(0, min(int(page_current or 0), page_count - 1))


# A workbook is built whole in memory and Excel is slow beyond this; CSV streams without a cap.
EXCEL_LIMIT = 50_000
EXPORT_FORMATS = ("csv", "xlsx")


def export_href(fmt: str, filters: dict, family: str | None, sort_by: list | None, filter_query: str | None) -> str:
    """The link that downloads the current view of the rules table (served by dashboards.app)."""
    return f"/export/violations.{fmt}?" + urlencode({
        "filters": json.dumps(filters or {}, ensure_ascii=False), "family": family or "",
        "sort": json.dumps(sort_by or []), "filter": filter_query or ""})


def export_frames(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None = None,
                  filter_query: str | None = None, unmask: bool = False, who: str = "",
                  limit: int | None = None) -> Iterator[pd.DataFrame]:
    """The current view in batches, as shown: labelled headers, codes in words, party names masked
    unless `unmask` (logged once per export)."""
    purpose = _view_purpose("export", who, filters, family, filter_query)
    frames = queries.violations.violations_batches(snapshot, filters, lang, family, sort_by, filter_query, limit)
    for i, frame in enumerate(frames):
        frame = coded(frame, lang, severity="severity")
        if i == 0 or not unmask:  # mask_frame logs every unmasked call: once is the record wanted
            frame = mask_frame(frame, unmask=unmask, purpose=purpose)
        yield frame.rename(columns=_headers(lang))


def _headers(lang: str) -> dict[str, str]:
    return {c: t(c, lang) for c in queries.violations.VIOLATION_ORDER}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text value made safe to write (core.output); numbers stay numbers."""
    return frame.apply(lambda col: col if pd.api.types.is_numeric_dtype(col) else col.map(safe_value))


def export_csv(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None = None,
               filter_query: str | None = None, unmask: bool = False, who: str = "") -> Iterator[str]:
    """The whole current view as CSV text in pieces (UTF-8 with BOM so Excel reads the Chinese). Lines
    end in CRLF (RFC 4180), so a field holding a lone carriage return is quoted, not a row break."""
    header = pd.DataFrame(columns=[safe_text(h) for h in _headers(lang).values()])
    yield "\ufeff" + header.to_csv(index=False, lineterminator="\r\n")
    for frame in export_frames(snapshot, filters, lang, family, sort_by, filter_query, unmask, who):
        yield safe_frame(frame).to_csv(index=False, header=False, lineterminator="\r\n")


def export_xlsx(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None = None,
                filter_query: str | None = None, unmask: bool = False, who: str = "",
                limit: int = EXCEL_LIMIT) -> tuple[bytes, int, bool]:
    """The current view as a workbook of at most `limit` rows: (bytes, rows written, whether cut)."""
    from openpyxl import Workbook

    f = resolve(snapshot, filters)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(t("violations", lang))
    ws.append([safe_text(h) for h in _headers(lang).values()])
    written, cut = 0, False
    # one row past the cap tells whether the view was cut, without counting it
    for frame in export_frames(snapshot, f, lang, family, sort_by, filter_query, unmask, who, limit + 1):
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            if written == limit:
                cut = True
                break
            ws.append([safe_value(v) for v in row])
            written += 1
    notes = wb.create_sheet(t("export_notes", lang))
    for key, value in (("period", dims.period_name(snapshot, f, lang)),
                       ("unit", f["unit_id"] or t("all_units", lang)),
                       ("profile", f["profile_id"] or t("all_profiles", lang)),
                       ("family", family_label(snapshot, lang).get(family, family) if family else "—"), ("filter", filter_query or "—"), ("rows", written)):
        notes.append([safe_value(t(key, lang)), safe_value(value)])
    notes.append([safe_text(t("party_name", lang)), safe_text(t("unmasked" if unmask else "masked", lang))])
    if cut:
        notes.append([safe_text(t("export_cut", lang, limit=f"{limit:,}"))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), written, cut


def family_options(snapshot: Path, lang: str) -> list[dict]:
    fam = dims.families(snapshot, lang)
    return [{"label": label, "value": family} for family, label in zip(fam["family"], fam["label"])]


# --- retention, devices, quality ------------------------------------------------------------

def retention(snapshot: Path, filters: dict, lang: str) -> list:
    f = normalise(filters)
    status = queries.retention.retention_status(snapshot, f)
    status["label"] = coded(status, lang, status="retention_status")["status"]
    fig = (_empty_figure(lang) if status.empty else
           go.Figure(go.Bar(x=status["label"], y=status["recordings"], text=status["recordings"])))
    fig.update_layout(height=340, yaxis_title=t("recordings", lang), margin={"t": 30, "b": 60})
    due = queries.retention.retention_due(snapshot, f)
    as_of = dims.run(snapshot)["as_of"]
    return [html.H3(t("retention_title", lang, as_of=str(as_of)[:10])),
            dcc.Graph(id="ret-status", figure=fig),
            html.H4(t("due_30", lang)),
            table("ret-due", due, [("unit_name", t("unit", lang)), ("recordings", t("recordings", lang)),
                                   ("first_due", t("due_at", lang))], sort_action="native")]


def devices(snapshot: Path, filters: dict, lang: str) -> list:
    f = resolve(snapshot, filters)
    frame = queries.devices.device_summary(snapshot, f)
    frame["checked_rate"] = (100 * frame["checked_rate"]).round(1)
    cols = ["unit_name", "devices", "device_days", "checked_rate", "faults", "battery_low", "storage_full",
            "interrupts", "files_deleted", "files_lost", "deleted_unuploaded"]
    return [html.H3(t("devices_title", lang, period=dims.period_name(snapshot, f, lang))),
            table("dev-table", frame, [(c, t("unit" if c == "unit_name" else c, lang) + (" %" if c == "checked_rate" else ""))
                                       for c in cols], sort_action="native")]


def quality(snapshot: Path, filters: dict, lang: str) -> list:
    """Freshness, what the rules could not judge from the exports (in the period, for the units in
    scope), and for a requester who may see every unit, the load batches, quarantine and rejected
    files: those are the whole deployment's (a quarantined row is raw input from any unit), so a
    user limited to some units is told so instead."""
    normalise(filters)
    fresh = queries.quality.freshness(snapshot)
    fmt = lambda v: "—" if v is None or pd.isna(v) else str(v)[:19]  # noqa: E731
    unjudged = coded(queries.quality.not_judged(snapshot, filters), lang, reason="not_judged_reason")
    head = [html.H3(t("quality_title", lang)),
            html.P(t("freshness", lang, as_of=fmt(fresh["as_of"])[:10], finished=fmt(fresh["finished"]),
                     published=fmt(fresh["published"]))),
            html.H4(t("not_judged", lang)),
            table("dq-not-judged", unjudged, [("rule_id", t("rule", lang)), ("reason", t("reason", lang)),
                                              ("things", t("things", lang))])
            if len(unjudged) else html.P(t("not_judged_none", lang), id="dq-not-judged")]
    if access.bound() is not None:
        return head + [html.P(t("quality_scoped", lang), id="dq-scoped")]
    batches = coded(queries.quality.load_batches(snapshot), lang, outcome="batch_outcome")
    reasons = queries.quality.quarantine_reasons(snapshot, lang)
    reasons["source"] = reasons["source"].map(lambda v: _source(v, lang))
    rejected = queries.quality.rejected_files(snapshot, lang)
    return head + [
        html.H4(t("load_batches", lang)),
        table("dq-batches", batches, [(c, t(c, lang)) for c in batches.columns]),
        html.H4(t("quarantine_reasons", lang)),
        table("dq-reasons", reasons, [("source", t("source", lang)), ("code", t("reason_code", lang)),
                                      ("rows", t("rows", lang)), ("example", t("example", lang))],
              sort_action="native", page_size=20),
        html.H4(t("rejected_files", lang)),
        table("dq-rejected", rejected, [("batch_id", t("batch_id", lang)), ("source", t("source", lang)),
                                        ("file_name", t("file_name", lang)), ("message", t("message", lang))])]


def _source(source: str, lang: str) -> str:
    try:
        return source_label(source, lang)
    except KeyError:
        return source
