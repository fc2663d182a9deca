"""What each page shows, as plain functions of (snapshot, filters, lang) returning Plotly figures,
table records and Dash components; the page callbacks only pass through to these, so they can be
tested without a browser."""

from __future__ import annotations

import math
from urllib.parse import urlencode
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from orchestration.i18n import source_label
from orchestration.privacy import mask_frame

from . import data
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


def _pct(x) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _empty_figure(lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=t("no_data", lang), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(xaxis_visible=False, yaxis_visible=False, height=300)
    return fig


def family_label(snapshot: Path, lang: str) -> dict[str, str]:
    fam = data.families(snapshot, lang)
    return dict(zip(fam["family"], fam["label"]))


def table(id_: str, frame: pd.DataFrame, columns: list[tuple[str, str]], **kwargs) -> dash_table.DataTable:
    return dash_table.DataTable(
        id=id_, data=_records(frame[[c for c, _ in columns]]) if len(frame) else [],
        columns=[{"id": c, "name": name} for c, name in columns],
        style_table={"overflowX": "auto"}, style_cell={"textAlign": "left", "fontSize": 13, "maxWidth": 420,
                                                        "whiteSpace": "normal"},
        style_header={"fontWeight": "bold"}, **kwargs)


# --- overview --------------------------------------------------------------------------------

def headline(snapshot: Path, filters: dict, lang: str) -> list[dict]:
    """One record per family (the overall first): rate now and in the previous period, change in points."""
    f = data.resolve(snapshot, filters)
    labels = family_label(snapshot, lang)
    out = []
    for row in data.family_rates(snapshot, f).itertuples():
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


def score_trend_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    frame = data.score_trend(snapshot, filters)
    if frame.empty:
        return _empty_figure(lang)
    fig = go.Figure()
    for (unit_id, name), g in frame.groupby(["unit_id", "unit_name"], sort=False):
        fig.add_trace(go.Scatter(x=g["period"], y=g["score"], mode="lines+markers", name=name,
                                 customdata=[unit_id] * len(g)))
    fig.update_layout(title=t("score_trend", lang), xaxis_title=t("month_axis", lang),
                      yaxis_title=t("score", lang), height=380, margin={"t": 50, "l": 50, "r": 10, "b": 40},
                      legend={"font": {"size": 11}})
    return fig


def violations_by_rule_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    f = data.resolve(snapshot, filters)
    frame = data.violations_by_rule(snapshot, f, lang)
    if frame.empty:
        return _empty_figure(lang)
    frame = frame.iloc[::-1]
    fig = go.Figure(go.Bar(x=frame["violations"], y=frame["rule_id"] + " " + frame["rule_name"].fillna(""),
                           orientation="h", customdata=frame["rule_id"], text=frame["violations"],
                           textposition="auto"))
    fig.update_layout(title=t("violations_by_rule", lang, period=f["period"]), xaxis_title=t("count", lang),
                      height=max(300, 28 * len(frame) + 100), margin={"t": 50, "l": 10, "r": 10, "b": 40})
    fig.update_yaxes(automargin=True)
    return fig


def warning_table(snapshot: Path, filters: dict, lang: str) -> tuple[list[dict], dict]:
    rows, counts = data.warnings(snapshot, filters, lang)
    rows = rows.assign(level=rows["level"].map(lambda v: t(v, lang)),
                       kind=rows["kind"].map(lambda v: t(f"kind_{v}", lang) if f"kind_{v}" in _KINDS else v))
    return _records(rows), {**counts, "shown": len(rows)}


_KINDS = {"kind_upload", "kind_archive", "kind_start_approval", "kind_disposal_review"}
WARNING_COLUMNS = ("level", "kind", "unit_name", "due_at", "hours_left", "detail")


def overview(snapshot: Path, filters: dict, lang: str) -> list:
    f = data.resolve(snapshot, filters)
    prev = data.previous_period(f["period_type"], f["period"])
    records, counts = warning_table(snapshot, f, lang)
    return [
        html.H3(t("headline", lang, period=f["period"], previous=prev)),
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
            columns=[{"id": c, "name": t(c if c != "unit_name" else "unit", lang)} for c in WARNING_COLUMNS],
            style_cell={"textAlign": "left", "fontSize": 13, "whiteSpace": "normal"},
            style_data_conditional=[
                {"if": {"filter_query": '{level} = "%s"' % t("red", lang)}, "backgroundColor": "#fde2e1"},
                {"if": {"filter_query": '{level} = "%s"' % t("yellow", lang)}, "backgroundColor": "#fff6d5"}]),
    ]


# --- units -----------------------------------------------------------------------------------

def scorecard_records(snapshot: Path, filters: dict, lang: str) -> tuple[list[dict], list[dict]]:
    """(rows, columns) of the ranked scorecard table; rates as percentages."""
    frame = data.scorecard(snapshot, filters)
    labels = family_label(snapshot, lang)
    rates = [c for c in data.RATE_COLUMNS if c in frame.columns and frame[c].notna().any()]
    for c in rates:
        frame[c] = (100 * frame[c]).round(1)
    columns = [("place", t("order", lang)), ("unit_name", t("unit", lang)), ("score", t("score", lang)),
               ("previous_score", t("previous_score", lang)), ("score_change", t("score_change", lang)),
               ("rank", t("rank", lang)), ("appraisal_score", t("appraisal_score", lang)),
               ("violations", t("violations", lang)), ("judged", t("judged", lang))]
    columns += [(c, f"{labels.get(c.removesuffix('_rate'), c)} %") for c in rates]
    cols = [{"id": c, "name": name, "type": "text" if c == "unit_name" else "numeric"} for c, name in columns]
    cols.append({"id": "unit_id", "name": t("unit_id", lang)})
    return _records(frame[[c for c, _ in columns] + ["unit_id"]]), cols


def scorecard_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    f = data.resolve(snapshot, filters)
    frame = data.scorecard(snapshot, f)
    if frame.empty:
        return _empty_figure(lang)
    fig = go.Figure(go.Bar(x=frame["unit_name"], y=frame["score"], customdata=frame["unit_id"],
                           text=frame["score"], textposition="auto"))
    fig.update_layout(title=t("scorecard", lang, period=f["period"]), yaxis_title=t("score", lang),
                      height=380, margin={"t": 50, "l": 50, "r": 10, "b": 120})
    return fig


def unit_from_click(click_data: dict | None, active_cell: dict | None, rows: list[dict] | None) -> str | None:
    """The unit a click on the bar chart or on a table row picked (None when nothing was picked)."""
    if active_cell and rows:
        row = active_cell.get("row")
        if row is not None and 0 <= row < len(rows):
            return rows[row].get("unit_id")
    if click_data and click_data.get("points"):
        return click_data["points"][0].get("customdata")
    return None


# --- rules -----------------------------------------------------------------------------------

def violation_columns(lang: str) -> list[dict]:
    return [{"id": c, "name": t(c, lang)} for c in data.VIOLATION_ORDER]


def violation_rows(snapshot: Path, filters: dict, lang: str, family: str | None, page_current: int = 0,
                   page_size: int = PAGE_SIZE, sort_by: list | None = None, filter_query: str | None = None,
                   unmask: bool = False) -> tuple[list[dict], int, int]:
    """(records of the page, total rows, page count); party names masked unless `unmask`."""
    rows, total = data.violations_page(snapshot, filters, lang, family, page_current or 0, page_size,
                                       sort_by, filter_query)
    rows = mask_frame(rows, unmask=unmask, purpose="dashboard rules page")
    return _records(rows), total, max(1, math.ceil(total / page_size))


def clamp_page(page_current: int, page_count: int) -> int:
    return max(0, min(int(page_current or 0), page_count - 1))


def violation_csv(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None = None,
                  filter_query: str | None = None) -> str:
    """The whole current view (all pages) as CSV with labelled headers, party names masked."""
    rows = mask_frame(data.violations_view(snapshot, filters, lang, family, sort_by, filter_query))
    rows = rows.rename(columns={c: t(c, lang) for c in data.VIOLATION_ORDER})
    return rows.to_csv(index=False)


def family_options(snapshot: Path, lang: str) -> list[dict]:
    fam = data.families(snapshot, lang)
    return [{"label": label, "value": family} for family, label in zip(fam["family"], fam["label"])]


# --- retention, devices, quality ------------------------------------------------------------

def retention(snapshot: Path, filters: dict, lang: str) -> list:
    f = data.normalise(filters)
    status = data.retention_status(snapshot, f)
    status["label"] = status["status"].map(lambda s: t(f"ret_{s}", lang) if f"ret_{s}" in _RET else s)
    fig = (_empty_figure(lang) if status.empty else
           go.Figure(go.Bar(x=status["label"], y=status["recordings"], text=status["recordings"])))
    fig.update_layout(height=340, yaxis_title=t("recordings", lang), margin={"t": 30, "b": 60})
    due = data.retention_due(snapshot, f)
    as_of = data.run_parameters(snapshot)["as_of"]
    return [html.H3(t("retention_title", lang, as_of=str(as_of)[:10])),
            dcc.Graph(id="ret-status", figure=fig),
            html.H4(t("due_30", lang)),
            table("ret-due", due, [("unit_name", t("unit", lang)), ("recordings", t("recordings", lang)),
                                   ("first_due", t("due_at", lang))], sort_action="native")]


_RET = {"ret_retained", "ret_hold", "ret_eligible_for_disposal", "ret_disposed", "ret_deleted_early",
        "ret_deleted_unapproved"}


def devices(snapshot: Path, filters: dict, lang: str) -> list:
    f = data.resolve(snapshot, filters)
    frame = data.device_summary(snapshot, f)
    frame["checked_rate"] = (100 * frame["checked_rate"]).round(1)
    cols = ["unit_name", "devices", "device_days", "checked_rate", "faults", "battery_low", "storage_full",
            "interrupts", "files_deleted", "files_lost", "deleted_unuploaded"]
    return [html.H3(t("devices_title", lang, period=f["period"])),
            table("dev-table", frame, [(c, t("unit" if c == "unit_name" else c, lang) + (" %" if c == "checked_rate" else ""))
                                       for c in cols], sort_action="native")]


def quality(snapshot: Path, filters: dict, lang: str) -> list:
    fresh = data.freshness(snapshot)
    batches = data.load_batches(snapshot)
    reasons = data.quarantine_reasons(snapshot)
    reasons["source"] = reasons["source"].map(lambda v: _source(v, lang))
    rejected = data.rejected_files(snapshot, lang)
    fmt = lambda v: "—" if v is None or pd.isna(v) else str(v)[:19]  # noqa: E731
    return [html.H3(t("quality_title", lang)),
            html.P(t("freshness", lang, as_of=fmt(fresh["as_of"])[:10], finished=fmt(fresh["finished"]),
                     published=fmt(fresh["published"]))),
            html.H4(t("load_batches", lang)),
            table("dq-batches", batches, [(c, t(c, lang)) for c in batches.columns]),
            html.H4(t("quarantine_reasons", lang)),
            table("dq-reasons", reasons, [("source", t("source", lang)), ("code", t("reason", lang)),
                                          ("rows", t("rows", lang))], sort_action="native", page_size=20),
            html.H4(t("rejected_files", lang)),
            table("dq-rejected", rejected, [("batch_id", t("batch_id", lang)), ("source", t("source", lang)),
                                            ("file_name", t("file_name", lang)), ("message", t("message", lang))])]


def _source(source: str, lang: str) -> str:
    try:
        return source_label(source, lang)
    except KeyError:
        return source
