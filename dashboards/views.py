"""What each page shows, as plain functions of (snapshot, filters, lang) returning Plotly figures,
table records and Dash components; the page callbacks only pass through to these, so they can be
tested without a browser."""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Scheme

from core.contract import ENUMS, SOURCES
from core.i18n import code_label, source_label
from core.output import safe_text, safe_value
from core.privacy import mask_frame

from . import access, dims, queries, status
from .filters import normalise, resolve
from .labels import t

PAGE_SIZE = 25
# a download link drawn as a button
LINK_STYLE = {"padding": "4px 10px", "border": "1px solid #888", "borderRadius": 4, "textDecoration": "none",
              "color": "inherit"}


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


def words(enum: str, code, lang: str) -> str | None:
    """A delivered enum value (act, record and case types) in words: its Chinese label, or its code
    written as words in English."""
    if not isinstance(code, str):
        return None
    return ENUMS[enum].get(code, code) if lang == "zh" else code.replace("_", " ")


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


# --- links to the case and officer pages (dashboards/pages/case.py, officers.py) --------------

CASE_PATH = "/case"
# the column of a table that links to a page, and the page's address parameter
LINKS = {"case_id": CASE_PATH, "officer_id": "/officers"}
LINKED = tuple(LINKS)

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def id_link(column: str, value) -> str:
    """An id as a markdown link to its page (a DataTable column with markdown presentation): every
    ASCII punctuation mark of the id escaped, so an id from an export shows as written and cannot
    make markup or another link, and the id quoted in the address."""
    if not isinstance(value, str) or not value:
        return ""
    shown = _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)
    return f"[{shown}]({LINKS[column]}?{urlencode({column: value})})"


def case_link(case_id) -> str:
    return id_link("case_id", case_id)


def with_case_links(records: list[dict], columns: tuple[str, ...] = ("case_id",)) -> list[dict]:
    """The records with the ids in `columns` made links to their pages."""
    # an id missing is an empty cell: a markdown cell shows None as the word "null"
    return [{**r, **{c: id_link(c, r.get(c)) for c in columns}} for r in records]


def linked_columns(columns: list[dict], linked: tuple[str, ...] = ("case_id",)) -> list[dict]:
    """DataTable columns with the ids in `linked` shown as the links with_case_links makes of them."""
    return [{**c, "presentation": "markdown"} if c["id"] in linked else c for c in columns]


# --- overview --------------------------------------------------------------------------------

def headline(snapshot: Path, filters: dict, lang: str) -> list[dict]:
    """One record per family (the overall first): rate now and in the previous period, change in points."""
    f = resolve(snapshot, filters)
    labels = family_label(snapshot, lang)
    weights = queries.overview.family_weights(snapshot, f)
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
                    "change_points": change, "weight": weights.get(row.family)})
    # 总体 first, then the heaviest family: what weighs most in a unit's score is read first
    order = list(labels)
    return sorted(out, key=lambda r: (r["family"] != "all", -(r["weight"] or 0),
                                      order.index(r["family"]) if r["family"] in order else len(order)))


def headline_cards(records: list[dict], filters: dict, lang: str) -> html.Div:
    """A card per rule family (总体 first): its rate coloured by the thresholds the legend under
    them states, the change since the previous period in percentage points, and its counts."""
    thresholds = status.rate_thresholds()
    cards = []
    for r in records:
        change = r["change_points"]
        arrow = "" if change is None else ("▲" if change > 0 else "▼" if change < 0 else "＝")
        colour = "#888" if change is None else ("#1a7f37" if change > 0 else "#c62828" if change < 0 else "#888")
        points = "" if change is None else t("change_points", lang, change=f"{change:+.1f}")
        state = thresholds.status(r["rate"])
        card = html.Div([
            html.Div(r["label"], style={"fontSize": 13, "color": "#555"}),
            html.Div(_pct(r["rate"]), className=f"status-{state}",
                     style={"fontSize": 22, "fontWeight": "bold", "color": status.COLOURS[state]}),
            html.Div(f"{arrow} {points}  ({t('previous_rate', lang)} {_pct(r['previous_rate'])})",
                     style={"fontSize": 12, "color": colour}),
            html.Div(f"{t('violations', lang)} {r['violations'] if r['violations'] is not None else '—'}"
                     f" / {t('judged', lang)} {r['judged'] if r['judged'] is not None else '—'}",
                     style={"fontSize": 11, "color": "#777"}),
        ], className="card", style={"border": "1px solid #ddd", "borderLeft": f"6px solid {status.COLOURS[state]}",
                                    "borderRadius": 6, "padding": "8px 12px", "minWidth": 150,
                                    "background": status.FILLS[state] if r["family"] != "all" else "#eef4ff"})
        # drill-down: a family's card opens its violations on the rules page
        cards.append(dcc.Link(card, href=rules_href(r["family"]), style={"color": "inherit", "textDecoration": "none"}))
    return html.Div([html.Div(cards, style={"display": "flex", "flexWrap": "wrap", "gap": 8}),
                     status.legend(thresholds, lang),
                     html.P(t("overall_note", lang), style={"fontSize": 12, "color": "#555", "margin": "2px 0"})])


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
    # Months as categories named in words: read as dates, a single month was drawn on an axis of
    # milliseconds (23:59:59.999 … 00:00:00.001)
    months = sorted(set(frame["period"]))
    names = dims.period_labels(snapshot, "month", lang)
    xaxis = {"title": {"text": t("month_axis", lang)}, "type": "category", "categoryorder": "array",
             "categoryarray": months, "tickvals": months, "ticktext": [names.get(m, m) for m in months]}
    # the layout still goes through plotly, which gives it the default template the other charts have
    layout = go.Figure(layout={"title": t("score_trend", lang), "xaxis": xaxis,
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
    # the rule by its name: an id like R-UPL is a code to the official reading it
    fig = go.Figure(go.Bar(x=frame["violations"], y=frame["rule_name"].fillna(frame["rule_id"]).map(plot_text),
                           orientation="h", customdata=frame["rule_id"], text=frame["violations"],
                           textposition="auto"))
    fig.update_layout(title=t("violations_by_rule", lang, period=dims.period_name(snapshot, f, lang)),
                      xaxis_title=t("count", lang),
                      height=max(300, 28 * len(frame) + 100), margin={"t": 50, "l": 10, "r": 10, "b": 40})
    fig.update_yaxes(automargin=True)
    return fig


def overview(snapshot: Path, filters: dict, lang: str) -> list:
    f = resolve(snapshot, filters)
    shown = dims.period(snapshot, f, lang)
    prev = shown.previous_label or "—"
    return [
        html.H3(t("headline", lang, period=shown.label or f["period"], previous=prev)),
        headline_cards(headline(snapshot, f, lang), f, lang),
        html.Div([
            html.Div(dcc.Graph(id="ov-trend", figure=score_trend_figure(snapshot, f, lang)),
                     style={"flex": "1 1 480px"}),
            html.Div(dcc.Graph(id="ov-rules", figure=violations_by_rule_figure(snapshot, f, lang)),
                     style={"flex": "1 1 480px"}),
        ], style={"display": "flex", "flexWrap": "wrap", "gap": 8, "marginTop": 12}),
        warnings_summary(snapshot, f, lang),
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
    for c in ("score", "previous_score", "score_change", "appraisal_score"):  # one decimal, as the chart
        frame[c] = frame[c].round(1)
    columns = [("place", t("order", lang)), ("unit_name", t("unit", lang)), ("score", t("score", lang)),
               ("previous_score", t("previous_score", lang)), ("score_change", t("score_change", lang)),
               ("rank", t("rank", lang)), ("appraisal_score", t("appraisal_score", lang)),
               ("violations", t("violations", lang)), ("judged", t("judged", lang))]
    columns += [(c, f"{labels[c]} %") for c in rates]
    # the 案卷评查合格率 beside the score where there is one (quarters and years, reviews returned): an
    # indicator, unless the run gave it a weight in the score (settings.review_weight)
    reviewed = ["review_pass_rate"] if "review_pass_rate" in frame and frame["review_pass_rate"].notna().any() else []
    if reviewed:
        frame["review_pass_rate"] = (100 * frame["review_pass_rate"]).round(1)
        weight = queries.ledger.run_parameters(snapshot)["review_weight"]
        columns.insert(7, ("review_pass_rate", t("un_review_pass_rate_weighted", lang, weight=f"{weight:g}")
                           if weight > 0 else t("un_review_pass_rate", lang)))
    # one decimal for every score and rate (83 was shown beside 82.8), counts grouped by thousands
    one_decimal = Format(precision=1, scheme=Scheme.fixed).to_plotly_json()
    counts = Format().group(True).to_plotly_json()
    formats = {c: one_decimal for c in ("score", "previous_score", "score_change", "appraisal_score", *rates,
                                        *reviewed)}
    formats |= {"judged": counts, "violations": counts}
    cols = [{"id": c, "name": name, "type": "text" if c == "unit_name" else "numeric",
             **({"format": formats[c]} if c in formats else {})} for c, name in columns]
    cols.append({"id": "unit_id", "name": t("unit_id", lang)})
    return _records(frame[[c for c, _ in columns] + ["unit_id"]]), cols


def scorecard_export_href(fmt: str, filters: dict) -> str:
    """The link that downloads the units table as shown (served by dashboards.app)."""
    return f"/export/scorecard.{fmt}?" + urlencode({"filters": json.dumps(filters or {}, ensure_ascii=False)})


def scorecard_export(snapshot: Path, fmt: str, filters: dict, lang: str) -> Iterator[str] | tuple[bytes, int, bool]:
    """The units table as shown (its columns and words), as CSV pieces or a workbook whose notes
    name the period, unit and profile; its text made safe to open (core.output)."""
    f = resolve(snapshot, filters)
    rows, columns = scorecard_records(snapshot, f, lang)
    headers = [c["name"] for c in columns]
    frame = pd.DataFrame(rows, columns=[c["id"] for c in columns])
    if fmt == "csv":
        return csv_pieces(headers, iter([frame]))
    notes = [(t("period", lang), dims.period_name(snapshot, f, lang)),
             (t("unit", lang), f["unit_id"] or t("all_units", lang)),
             (t("profile", lang), f["profile_id"] or t("all_profiles", lang))]
    return workbook(t("page_units", lang), headers, iter([frame]), notes, lang, unmask=False)


def score_styles(lang: str) -> list[dict]:
    """The units table's score cells coloured as the chart's bars (the stated thresholds)."""
    th = status.score_thresholds()
    rules = [("green", f"{{score}} >= {th.green}"), ("yellow", f"{{score}} >= {th.red} && {{score}} < {th.green}"),
             ("red", f"{{score}} < {th.red}")]
    return [{"if": {"filter_query": q, "column_id": "score"}, "backgroundColor": status.FILLS[code],
             "color": status.COLOURS[code]} for code, q in rules]


def short_names(names: list[str]) -> list[str]:
    """Names without the prefix they all share, cut back to a character boundary that leaves each
    one something (永宁县综合行政执法大队市容环卫中队 → 市容环卫中队): the differing part is what a
    chart's reader compares; the full name is in the hover."""
    if len(names) < 2:
        return list(names)
    prefix = os.path.commonprefix(list(names))
    while prefix and any(len(n) <= len(prefix) for n in names):
        prefix = prefix[:-1]
    return [n[len(prefix):] for n in names]


def scorecard_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    """The units' scores as horizontal bars, best at the top, coloured by the stated thresholds;
    the units at the top of the scope (a parent bureau, whose score is not ranked with its units)
    apart, as a dashed line across the bars; the axis starts just below the lowest score so that
    the spread shows."""
    f = resolve(snapshot, filters)
    frame = queries.scorecard.scorecard(snapshot, f)
    frame = frame[frame["score"].notna()]
    if frame.empty:
        return _empty_figure(lang)
    parents = dims.unit_parents(snapshot)
    in_scope = set(frame["unit_id"])
    top = frame[[parents.get(u) not in in_scope for u in frame["unit_id"]]]
    bars = frame.drop(top.index) if len(top) < len(frame) else frame
    thresholds = status.score_thresholds()
    bars = bars.sort_values(["score", "unit_id"], ascending=[True, False])  # drawn bottom-up: best at the top
    names = bars["unit_name"].tolist()
    fig = go.Figure(go.Bar(
        x=bars["score"], y=[plot_text(n) for n in short_names(names)], orientation="h",
        customdata=bars["unit_id"], hovertext=[plot_text(n) for n in names], hoverinfo="text+x",
        marker_color=[status.COLOURS[thresholds.status(v)] for v in bars["score"]],
        text=[f"{v:.1f}" for v in bars["score"]], textposition="outside", cliponaxis=False))
    if len(top) < len(frame):
        for row in top.itertuples():
            fig.add_vline(x=row.score, line_dash="dash", line_color="#555",
                          annotation_text=plot_text(f"{row.unit_name} {row.score:.1f}"),
                          annotation_position="top", annotation_font_size=11)
    low = min(frame["score"])
    fig.update_layout(title=t("scorecard", lang, period=dims.period_name(snapshot, f, lang)),
                      xaxis={"title": t("score", lang), "range": [max(0, math.floor(low / 5) * 5 - 5), 100.5],
                             "tickformat": ".0f"},
                      height=max(320, 26 * len(bars) + 140), margin={"t": 70, "l": 10, "r": 40, "b": 40})
    fig.update_yaxes(automargin=True)
    return fig


def unit_from_click(click_data: dict | None, active_cell: dict | None, rows: list[dict] | None,
                    key: str = "unit_id") -> str | None:
    """The unit a click on the bar chart or on a table row picked (the row's `key`: the officers page
    picks an officer so), None when nothing was picked, or the click is not one the page can send.
    Whichever it is, the unit filter checks it (filters.normalise), and an officer's queries are
    bounded by the scope: this picks, it does not admit."""
    if isinstance(active_cell, dict) and isinstance(rows, list):
        row = active_cell.get("row")
        if isinstance(row, int) and 0 <= row < len(rows) and isinstance(rows[row], dict):
            return rows[row].get(key)
    points = click_data.get("points") if isinstance(click_data, dict) else None
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0].get("customdata")
    return None


# --- rules -----------------------------------------------------------------------------------

def violation_columns(lang: str, filled: set[str] | None = None) -> list[dict]:
    """The table's columns; with `filled`, those of the view's rules that fill them only (a family's
    recordings name no act: the column would only be empty)."""
    optional = set(queries.violations.SOMETIMES_FILLED)
    return [{"id": c, "name": t(c, lang)} for c in queries.violations.VIOLATION_ORDER
            if filled is None or c not in optional or c in filled]


def view_columns(snapshot: Path, filters: dict, lang: str, family: str | None, filter_query: str | None,
                 total: int) -> list[dict]:
    """The rules table's columns for its current view: those its rows fill, each id a link."""
    filled = queries.violations.filled_columns(snapshot, filters, lang, family, filter_query) if total else None
    return linked_columns(violation_columns(lang, filled), LINKED)


def empty_reason(snapshot: Path, filters: dict, lang: str, family: str | None) -> str:
    """What an empty view of the rules table means, in words."""
    return t(f"rules_empty_{queries.violations.why_empty(snapshot, filters, family)}", lang)


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
    for frame in masked_batches((coded(frame, lang, severity="severity") for frame in frames), unmask, purpose):
        yield frame.rename(columns=_headers(lang))


def masked_batches(frames: Iterator[pd.DataFrame], unmask: bool, purpose: str) -> Iterator[pd.DataFrame]:
    """A download's frames with party names masked, unless `unmask`: logged once for the download,
    not once a batch."""
    for i, frame in enumerate(frames):
        yield mask_frame(frame, unmask=unmask, purpose=purpose) if i == 0 or not unmask else frame


def _headers(lang: str) -> dict[str, str]:
    return {c: t(c, lang) for c in queries.violations.VIOLATION_ORDER}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text value made safe to write (core.output); numbers stay numbers."""
    return frame.apply(lambda col: col if pd.api.types.is_numeric_dtype(col) else col.map(safe_value))


def export_csv(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None = None,
               filter_query: str | None = None, unmask: bool = False, who: str = "") -> Iterator[str]:
    """The whole current view as CSV text in pieces (UTF-8 with BOM so Excel reads the Chinese). Lines
    end in CRLF (RFC 4180), so a field holding a lone carriage return is quoted, not a row break."""
    return csv_pieces(list(_headers(lang).values()),
                      export_frames(snapshot, filters, lang, family, sort_by, filter_query, unmask, who))


def csv_pieces(headers: list[str], frames: Iterator[pd.DataFrame]) -> Iterator[str]:
    header = pd.DataFrame(columns=[safe_text(h) for h in headers])
    yield "\ufeff" + header.to_csv(index=False, lineterminator="\r\n")
    for frame in frames:
        yield safe_frame(frame).to_csv(index=False, header=False, lineterminator="\r\n")


def export_xlsx(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None = None,
                filter_query: str | None = None, unmask: bool = False, who: str = "",
                limit: int = EXCEL_LIMIT) -> tuple[bytes, int, bool]:
    """The current view as a workbook of at most `limit` rows: (bytes, rows written, whether cut)."""
    f = resolve(snapshot, filters)
    frames = export_frames(snapshot, f, lang, family, sort_by, filter_query, unmask, who, limit + 1)
    notes = [(t(key, lang), value) for key, value in (
        ("period", dims.period_name(snapshot, f, lang)), ("unit", f["unit_id"] or t("all_units", lang)),
        ("profile", f["profile_id"] or t("all_profiles", lang)),
        ("family", family_label(snapshot, lang).get(family, family) if family else "—"),
        ("filter", filter_query or "—"))]
    return workbook(t("violations", lang), list(_headers(lang).values()), frames, notes, lang, unmask, limit)


def workbook(sheet: str, headers: list[str], frames: Iterator[pd.DataFrame], notes: list[tuple[str, object]],
             lang: str, unmask: bool, limit: int = EXCEL_LIMIT) -> tuple[bytes, int, bool]:
    """A download as a workbook: the rows of `frames` (at most `limit`; they may hold one more, which
    tells that the view was cut) under `headers`, and a notes sheet: `notes`, the rows written,
    whether party names are masked, and whether the view was cut. (bytes, rows written, whether cut)"""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([safe_text(h) for h in headers])
    written, cut = 0, False
    for frame in frames:
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            if written == limit:
                cut = True
                break
            ws.append([safe_value(v) for v in row])
            written += 1
        if cut:
            break
    sheet_notes = wb.create_sheet(t("export_notes", lang))
    for key, value in [*notes, (t("rows", lang), written)]:
        sheet_notes.append([safe_value(key), safe_value(value)])
    sheet_notes.append([safe_text(t("party_name", lang)), safe_text(t("unmasked" if unmask else "masked", lang))])
    if cut:
        sheet_notes.append([safe_text(t("export_cut", lang, limit=f"{limit:,}"))])
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
    unjudged = coded(queries.quality.not_judged(snapshot, filters, lang), lang, reason="not_judged_reason")
    head = [html.H3(t("quality_title", lang)),
            html.P(t("freshness", lang, as_of=fmt(fresh["as_of"])[:10], finished=fmt(fresh["finished"]),
                     published=fmt(fresh["published"]))),
            html.H4(t("not_judged", lang)),
            table("dq-not-judged", unjudged, [("rule_name", t("rule", lang)), ("reason", t("reason", lang)),
                                              ("things", t("things", lang))])
            if len(unjudged) else html.P(t("not_judged_none", lang), id="dq-not-judged")]
    if access.bound() is not None:
        return head + [html.P(t("quality_scoped", lang), id="dq-scoped")]
    batches = coded(queries.quality.load_batches(snapshot), lang, outcome="batch_outcome")
    reasons = queries.quality.quarantine_reasons(snapshot, lang)
    reasons["code"] = [reason_words(code, source, lang) for code, source in zip(reasons["code"], reasons["source"])]
    reasons["source"] = reasons["source"].map(lambda v: _source(v, lang))
    rejected = queries.quality.rejected_files(snapshot, lang)
    rejected["source"] = rejected["source"].map(lambda v: _source(v, lang))
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


def reason_words(code: str, source: str, lang: str) -> str:
    """A quarantine reason code (kind:column, as the loader writes it) in words: 未知取值：案件类型."""
    kind, _, column = code.partition(":")
    words = code_label("quarantine_reason", kind, lang)
    if not column:
        return words
    try:
        name = SOURCES[source].column(column).zh if lang == "zh" else column.replace("_", " ")
    except KeyError:  # a column the contract no longer has
        name = column
    return f"{words}：{name}" if lang == "zh" else f"{words}: {name}"


def _source(source: str, lang: str) -> str:
    try:
        return source_label(source, lang)
    except KeyError:
        return source


# --- warnings --------------------------------------------------------------------------------

def warnings_summary(snapshot: Path, filters: dict, lang: str) -> html.Div:
    """The overview's lines on the open warnings, with the way to the warnings page."""
    n = queries.warnings.summary(snapshot, filters)
    return html.Div([
        html.H3(t("warnings", lang)),
        html.P([t("ov_warnings", lang, red=f"{n['red']:,}", yellow=f"{n['yellow']:,}", n=f"{n['disposal']:,}",
                  disposal=code_label("warning_kind", "disposal_review", lang)), " ",
                dcc.Link(t("ov_warnings_link", lang), href="/warnings", id="ov-warnings-link")]),
    ], id="ov-warnings")


def warning_lists(lang: str) -> list[dict]:
    """The two work lists the page switches between: compliance warnings, and the review before
    disposal, which is a task (rules.md §6) and so is kept apart."""
    sep = "、" if lang == "zh" else ", "
    kinds = sep.join(code_label("warning_kind", k, lang) for k in queries.warnings.LISTS["compliance"])
    task = code_label("warning_kind", "disposal_review", lang)
    return [{"label": t("wa_compliance", lang, kinds=kinds), "value": "compliance"},
            {"label": t("wa_disposal", lang, kind=task[:1].upper() + task[1:]), "value": "disposal"}]


def warning_level_options(list_: str, lang: str) -> list[dict]:
    levels = ("yellow",) if list_ == "disposal" else queries.warnings.LEVELS
    return [{"label": t(f"wa_{level}", lang, level=code_label("warning_level", level, lang)), "value": level}
            for level in levels]


def warning_kind_options(list_: str, lang: str) -> list[dict]:
    return [{"label": code_label("warning_kind", k, lang), "value": k} for k in queries.warnings.LISTS.get(list_, ())]


def warning_counts(snapshot: Path, filters: dict, lang: str, list_: str, level: str | None = None,
                   kind: str | None = None) -> tuple[list[dict], list[dict], str]:
    """(rows, columns, what they add up to) of the counts by unit and kind. Each row keeps its unit
    id and kind code for the drill-down, and its place as its id (a click names the row by it)."""
    frame = queries.warnings.counts(snapshot, filters, list_, level, kind)
    frame = frame.assign(id=range(len(frame)), kind_code=frame["kind"],
                         kind=frame["kind"].map(lambda k: code_label("warning_kind", k, lang)))
    if list_ == "disposal":
        columns = [("unit_name", t("unit", lang)), ("kind", t("kind", lang)), ("total", t("wa_to_review", lang)),
                   ("first_due", t("wa_kept_until", lang))]
        said = t("wa_disposal_summary", lang, n=f"{int(frame['total'].sum()):,}", units=frame["unit_id"].nunique())
    else:
        columns = [("unit_name", t("unit", lang)), ("kind", t("kind", lang)),
                   *((lv, t(f"wa_{lv}", lang, level=code_label("warning_level", lv, lang)))
                     for lv in queries.warnings.LEVELS),
                   ("total", t("wa_total", lang)), ("max_days_overdue", t("wa_max_days_overdue", lang)),
                   ("first_due", t("wa_first_due", lang))]
        said = t("wa_summary", lang, red=f"{int(frame['red'].sum()):,}", yellow=f"{int(frame['yellow'].sum()):,}",
                 units=frame["unit_id"].nunique())
    numeric = {"red", "yellow", "total", "max_days_overdue"}
    cols = [{"id": c, "name": name, "type": "numeric" if c in numeric else "text"} for c, name in columns]
    return _records(frame), cols, said


def warning_pick(active_cell: dict | None, rows: list[dict] | None) -> dict | None:
    """The unit and kind a click on the counts table picked ({unit_id, kind}), or None. The rows'
    query checks the unit (queries.warnings): this picks, it does not admit."""
    if not (isinstance(active_cell, dict) and isinstance(rows, list)):
        return None
    row_id = active_cell.get("row_id")
    if not (isinstance(row_id, int) and 0 <= row_id < len(rows) and isinstance(rows[row_id], dict)):
        return None
    return {"unit_id": rows[row_id].get("unit_id"), "kind": rows[row_id].get("kind_code")}


# column -> message id of its header, per list: a review before disposal has no level, case or party
WARNING_COLUMNS = {
    "compliance": {"level": "level", "kind": "kind", "unit_name": "unit", "case_id": "case_id",
                   "media_id": "media_id", "officer_id": "officer_id", "party_name": "party_name",
                   "due_at": "due_at", "days_overdue": "days_overdue", "time_left": "time_left", "detail": "detail"},
    "disposal": {"unit_name": "unit", "media_id": "media_id", "officer_id": "officer_id", "device_id": "device_id",
                 "due_at": "wa_kept_until", "time_left": "time_left", "detail": "detail"},
}


def time_left(hours, lang: str) -> str | None:
    """A yellow warning's time left in words: hours within a day, else days and hours (never negative:
    queries.warnings gives a red one none)."""
    if hours is None or pd.isna(hours):
        return None
    if hours < 24:
        return t("wa_hours", lang, h=f"{round(float(hours), 1):g}")
    days, rest = divmod(int(hours), 24)
    return t("wa_days_hours", lang, d=days, h=rest) if rest else t("wa_days", lang, d=days)


def _warnings_shown(frame: pd.DataFrame, lang: str, list_: str) -> pd.DataFrame:
    """Rows of a list as they are shown: codes in words, the time left in words, the list's columns."""
    frame = coded(frame, lang, level="warning_level", kind="warning_kind")
    frame["time_left"] = frame["hours_left"].map(lambda h: time_left(h, lang))
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame[list(WARNING_COLUMNS[list_])]


def warning_columns(list_: str, lang: str) -> list[dict]:
    return [{"id": c, "name": t(key, lang), **({"presentation": "markdown"} if c == "case_id" else {})}
            for c, key in WARNING_COLUMNS[list_].items()]


def _warnings_purpose(what: str, who: str, filters: dict, list_: str, level, kind, unit_id) -> str:
    f = normalise(filters)
    return (f"dashboard warnings {what}, requested by {who or 'unknown'}: unit {unit_id or f['unit_id'] or 'all'}, "
            f"profile {f['profile_id'] or 'all'}, list {list_}, level {level or 'all'}, kind {kind or 'all'}")


def warning_rows(snapshot: Path, filters: dict, lang: str, list_: str, level: str | None = None,
                 kind: str | None = None, unit_id: str | None = None, page_current: int = 0,
                 page_size: int = PAGE_SIZE, unmask: bool = False, who: str = "") -> tuple[list[dict], int, int]:
    """(records of the page, total rows, page count) of a list (one unit's, when `unit_id`); the case
    id links to its case page; party names masked unless `unmask` (logged with `who` and the view)."""
    rows, total = queries.warnings.rows_page(snapshot, filters, lang, list_, level, kind, unit_id,
                                             page_current or 0, page_size)
    rows = mask_frame(_warnings_shown(rows, lang, list_), unmask=unmask,
                      purpose=_warnings_purpose("page", who, filters, list_, level, kind, unit_id))
    if "case_id" in rows:
        rows["case_id"] = rows["case_id"].map(case_link)
    return _records(rows), total, max(1, math.ceil(total / page_size))


def warning_export_href(fmt: str, filters: dict, list_: str, level: str | None, kind: str | None,
                        unit_id: str | None) -> str:
    """The link that downloads a list (of one unit, when `unit_id`), served by dashboards.app."""
    return f"/export/warnings.{fmt}?" + urlencode({
        "filters": json.dumps(filters or {}, ensure_ascii=False), "list": list_, "level": level or "",
        "kind": kind or "", "unit": unit_id or ""})


def _warning_export_frames(snapshot: Path, filters: dict, lang: str, list_: str, level, kind, unit_id,
                           unmask: bool, who: str, limit: int | None = None) -> Iterator[pd.DataFrame]:
    headers = {c: t(key, lang) for c, key in WARNING_COLUMNS[list_].items()}
    frames = queries.warnings.rows_batches(snapshot, filters, lang, list_, level, kind, unit_id, limit)
    purpose = _warnings_purpose("export", who, filters, list_, level, kind, unit_id)
    for frame in masked_batches((_warnings_shown(frame, lang, list_) for frame in frames), unmask, purpose):
        yield frame.rename(columns=headers)


def warning_export(snapshot: Path, fmt: str, filters: dict, lang: str, list_: str, level: str | None = None,
                   kind: str | None = None, unit_id: str | None = None, unmask: bool = False, who: str = "",
                   limit: int = EXCEL_LIMIT) -> Iterator[str] | tuple[bytes, int, bool]:
    """A list's download: CSV pieces (every row), or a workbook of at most `limit` rows (bytes, rows
    written, whether cut) whose notes say what it holds, as of when."""
    headers = [t(key, lang) for key in WARNING_COLUMNS[list_].values()]
    if fmt == "csv":
        return csv_pieces(headers, _warning_export_frames(snapshot, filters, lang, list_, level, kind, unit_id,
                                                          unmask, who))
    f = normalise(filters)
    names = dict(zip(*(dims.units(snapshot)[c] for c in ("unit_id", "unit_name"))))
    lists = {o["value"]: o["label"] for o in warning_lists(lang)}
    notes = [(t("as_of", lang), str(dims.run(snapshot)["as_of"])[:10]),
             (t("unit", lang), names.get(unit_id or f["unit_id"], t("all_units", lang))),
             (t("profile", lang), f["profile_id"] or t("all_profiles", lang)), (t("wa_list", lang), lists[list_]),
             (t("level", lang), code_label("warning_level", level, lang) if level else t("wa_all_levels", lang)),
             (t("kind", lang), code_label("warning_kind", kind, lang) if kind else t("wa_all_kinds", lang))]
    frames = _warning_export_frames(snapshot, filters, lang, list_, level, kind, unit_id, unmask, who, limit + 1)
    return workbook(t("wa_sheet", lang), headers, frames, notes, lang, unmask, limit)
